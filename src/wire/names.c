/* names.c: static names of messages, error codes and families, for logs and tools. */
#include "wire-int.h"

const char *wire_msg_name(uint8_t type)
{
	static const char *const names[] = {
		[WIRE_OPEN] = "OPEN",
		[WIRE_UPDATE] = "UPDATE",
		[WIRE_NOTIFICATION] = "NOTIFICATION",
		[WIRE_KEEPALIVE] = "KEEPALIVE",
		[WIRE_ROUTE_REFRESH] = "ROUTE-REFRESH",
	};
	if (type < RX_ARRAY_LEN(names) && names[type])
		return names[type];
	return "unknown";
}

const char *wire_err_name(uint8_t code)
{
	static const char *const names[] = {
		[WIRE_ERR_HEADER] = "Message Header Error",
		[WIRE_ERR_OPEN] = "OPEN Message Error",
		[WIRE_ERR_UPDATE] = "UPDATE Message Error",
		[WIRE_ERR_HOLD] = "Hold Timer Expired",
		[WIRE_ERR_FSM] = "Finite State Machine Error",
		[WIRE_ERR_CEASE] = "Cease",
		[WIRE_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH Message Error",
		[WIRE_ERR_SEND_HOLD] = "Send Hold Timer Expired",
	};
	if (code < RX_ARRAY_LEN(names) && names[code])
		return names[code];
	return "unknown error";
}

const char *wire_suberr_name(uint8_t code, uint8_t subcode)
{
	static const char *const hdr[] = {
		[1] = "Connection Not Synchronized",
		[2] = "Bad Message Length",
		[3] = "Bad Message Type",
	};
	static const char *const open[] = {
		[0] = "Unspecific",
		[1] = "Unsupported Version Number",
		[2] = "Bad Peer AS",
		[3] = "Bad BGP Identifier",
		[4] = "Unsupported Optional Parameter",
		[6] = "Unacceptable Hold Time",
		[7] = "Unsupported Capability",
		[11] = "Role Mismatch",
	};
	static const char *const upd[] = {
		[1] = "Malformed Attribute List",
		[2] = "Unrecognized Well-known Attribute",
		[3] = "Missing Well-known Attribute",
		[4] = "Attribute Flags Error",
		[5] = "Attribute Length Error",
		[6] = "Invalid ORIGIN Attribute",
		[8] = "Invalid NEXT_HOP Attribute",
		[9] = "Optional Attribute Error",
		[10] = "Invalid Network Field",
		[11] = "Malformed AS_PATH",
	};
	static const char *const cease[] = {
		[1] = "Maximum Number of Prefixes Reached",
		[2] = "Administrative Shutdown",
		[3] = "Peer De-configured",
		[4] = "Administrative Reset",
		[5] = "Connection Rejected",
		[6] = "Other Configuration Change",
		[7] = "Connection Collision Resolution",
		[8] = "Out of Resources",
		[9] = "Hard Reset",
	};
	const char *const *t = NULL;
	size_t n = 0;
	switch (code) {
	case WIRE_ERR_HEADER:
		t = hdr, n = RX_ARRAY_LEN(hdr);
		break;
	case WIRE_ERR_OPEN:
		t = open, n = RX_ARRAY_LEN(open);
		break;
	case WIRE_ERR_UPDATE:
		t = upd, n = RX_ARRAY_LEN(upd);
		break;
	case WIRE_ERR_CEASE:
		t = cease, n = RX_ARRAY_LEN(cease);
		break;
	case WIRE_ERR_ROUTE_REFRESH:
		return subcode == 1 ? "Invalid Message Length" : "unknown subcode";
	default:
		return subcode == 0 ? "" : "unknown subcode";
	}
	if (subcode < n && t[subcode])
		return t[subcode];
	return "unknown subcode";
}

bool wire_family(uint16_t afi, uint8_t safi, enum rx_family *fam)
{
	if (safi != RX_SAFI_UNICAST && safi != RX_SAFI_MULTICAST)
		return false;
	if (afi == RX_AFI_IPV4)
		*fam = safi == RX_SAFI_UNICAST ? RX_FAM_IPV4_UNICAST : RX_FAM_IPV4_MULTICAST;
	else if (afi == RX_AFI_IPV6)
		*fam = safi == RX_SAFI_UNICAST ? RX_FAM_IPV6_UNICAST : RX_FAM_IPV6_MULTICAST;
	else
		return false;
	return true;
}

void wire_family_afi_safi(enum rx_family fam, uint16_t *afi, uint8_t *safi)
{
	*afi = (fam == RX_FAM_IPV4_UNICAST || fam == RX_FAM_IPV4_MULTICAST) ? RX_AFI_IPV4
									    : RX_AFI_IPV6;
	*safi = (fam == RX_FAM_IPV4_UNICAST || fam == RX_FAM_IPV6_UNICAST) ? RX_SAFI_UNICAST
									   : RX_SAFI_MULTICAST;
}
