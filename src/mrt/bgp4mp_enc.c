/* bgp4mp_enc.c: BGP4MP_ET record encoder (RFC 6396 4.4, RFC 8050 3) for the message log.
 *
 * Pure: bytes in, bytes out, no allocation, so an I/O thread can encode straight into its
 * hand-over buffer. Every record is BGP4MP_ET (type 17): the extended header's microsecond
 * field orders the messages of one second, which plain BGP4MP cannot. The BGP message is
 * copied whole, header and marker included, as RFC 6396 4.4.2 asks. */
#include <string.h>

#include <routex/mrt.h>
#include <routex/wire.h>

/* Peer AS .. Local IP: two ASes (2 or 4 octets), interface index, AFI, two addresses. */
static size_t common_len(const struct mrt_bgp4mp_peer *p, bool as4)
{
	return (as4 ? 8u : 4u) + 2 + 2 + (p->afi == RX_AFI_IPV6 ? 32u : 8u);
}

static uint8_t *put_header(uint8_t *out, uint64_t time_us, uint16_t subtype, size_t body)
{
	wire_put32(out, (uint32_t)(time_us / 1000000u));
	wire_put16(out + 4, MRT_BGP4MP_ET);
	wire_put16(out + 6, subtype);
	/* RFC 6396 3: the ET length counts the microsecond field. */
	wire_put32(out + 8, (uint32_t)(4 + body));
	wire_put32(out + 12, (uint32_t)(time_us % 1000000u));
	return out + MRT_HEADER_LEN + 4;
}

static uint8_t *put_common(uint8_t *q, const struct mrt_bgp4mp_peer *p, bool as4)
{
	if (as4) {
		wire_put32(q, p->peer_as);
		wire_put32(q + 4, p->local_as);
		q += 8;
	} else { /* RFC 6793 9: a 4-octet AS in a 2-octet field is AS_TRANS */
		wire_put16(q, p->peer_as > 0xFFFF ? WIRE_AS_TRANS : (uint16_t)p->peer_as);
		wire_put16(q + 2, p->local_as > 0xFFFF ? WIRE_AS_TRANS : (uint16_t)p->local_as);
		q += 4;
	}
	wire_put16(q, p->ifindex);
	wire_put16(q + 2, p->afi == RX_AFI_IPV6 ? RX_AFI_IPV6 : RX_AFI_IPV4);
	q += 4;
	size_t alen = p->afi == RX_AFI_IPV6 ? 16 : 4;
	memcpy(q, p->peer_ip, alen);
	memcpy(q + alen, p->local_ip, alen);
	return q + 2 * alen;
}

uint16_t mrt_bgp4mp_message_subtype(const struct mrt_bgp4mp_peer *p, bool addpath)
{
	if (p->as4)
		return addpath ? MRT_BGP4MP_MESSAGE_AS4_ADDPATH : MRT_BGP4MP_MESSAGE_AS4;
	return addpath ? MRT_BGP4MP_MESSAGE_ADDPATH : MRT_BGP4MP_MESSAGE;
}

size_t mrt_bgp4mp_message_len(const struct mrt_bgp4mp_peer *p, size_t msg_len)
{
	return MRT_HEADER_LEN + 4 + common_len(p, p->as4) + msg_len;
}

size_t mrt_bgp4mp_message_encode(uint8_t *out, size_t cap, const struct mrt_bgp4mp_peer *p,
				 bool addpath, uint64_t time_us, const uint8_t *msg,
				 size_t msg_len)
{
	size_t total = mrt_bgp4mp_message_len(p, msg_len);
	if (total > cap || total - MRT_HEADER_LEN > UINT32_MAX)
		return 0;
	uint8_t *q = put_header(out, time_us, mrt_bgp4mp_message_subtype(p, addpath),
				total - MRT_HEADER_LEN - 4);
	q = put_common(q, p, p->as4);
	memcpy(q, msg, msg_len);
	return total;
}

size_t mrt_bgp4mp_state_len(const struct mrt_bgp4mp_peer *p)
{
	return MRT_HEADER_LEN + 4 + common_len(p, true) + 4;
}

size_t mrt_bgp4mp_state_encode(uint8_t *out, size_t cap, const struct mrt_bgp4mp_peer *p,
			       uint64_t time_us, uint16_t old_state, uint16_t new_state)
{
	size_t total = mrt_bgp4mp_state_len(p);
	if (total > cap)
		return 0;
	/* STATE_CHANGE_AS4 whatever the session negotiated: it carries no BGP message whose
	 * AS_PATH width the subtype would have to describe. */
	uint8_t *q = put_header(out, time_us, MRT_BGP4MP_STATE_CHANGE_AS4,
				total - MRT_HEADER_LEN - 4);
	q = put_common(q, p, true);
	wire_put16(q, old_state);
	wire_put16(q + 2, new_state);
	return total;
}
