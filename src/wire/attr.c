/* attr.c: path attribute decoding with RFC 7606 error handling.
 *
 * Design: one pass over the attribute block. Framing errors follow RFC 7606 4 (an attribute
 * overrunning the block, or fewer than 3/4 octets left, is treat-as-withdraw and the Total
 * Path Attribute Length still locates the NLRI). Each known type has a table entry: the flags
 * it must carry, the action when they conflict (RFC 7606 3.c, 3.f, 5.3), and a small decoder
 * that checks length and value per RFC 7606 7. Duplicates keep the first occurrence, except
 * MP_REACH/MP_UNREACH which reset (3.g). Unknown optional transitive attributes are copied,
 * Partial bit set, into scratch to be passed on; unknown non-transitive ones are dropped;
 * unknown well-known ones reset (RFC 4271 6.3, 3/2).
 *
 * AS paths are finished after the pass, because AS4_PATH and AS4_AGGREGATOR may follow
 * AS_PATH and AGGREGATOR in any order (RFC 6793 4.2.3). */
#include <string.h>

#include "wire-int.h"

struct attr_in {
	const uint8_t *raw; /* whole attribute (flags, type, length, value) */
	size_t raw_len;
	const uint8_t *val;
	size_t len;
	uint8_t flags;
	uint8_t type;
};

struct parse_state {
	const struct wire_ctx *ctx;
	bool mrt;
	struct wire_update *u;
	struct wire_scratch *s;
	bool nexthop_used; /* the UPDATE has classic IPv4 NLRI (or this is a bare block) */
	const uint8_t *aspath; /* as received */
	size_t aspath_len;
	bool has_as4_aggr;
	uint32_t as4_aggr_as;
	uint8_t as4_aggr_addr[4];
	uint8_t seen[32]; /* bitmap of type codes met, for duplicates */
	unsigned n_other; /* attributes other than MP_UNREACH_NLRI (RFC 7606 5.2) */
};

static void malformed(struct parse_state *st, const struct attr_in *a, enum wire_action act,
		      uint8_t subcode, const char *reason)
{
	wire_err_note(&st->u->err, act, WIRE_ERR_UPDATE, subcode, a->type, a->raw, a->raw_len,
		      reason);
}

static void keep(struct parse_state *st, uint8_t type)
{
	st->u->attrs.present |= WIRE_ATTR_BIT(type);
}

static void dec_origin(struct parse_state *st, const struct attr_in *a)
{
	if (a->len != 1) /* RFC 7606 7.1 */
		return malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_ATTR_LEN,
				 "ORIGIN length is not 1");
	if (a->val[0] > WIRE_ORIGIN_INCOMPLETE)
		return malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_INVALID_ORIGIN,
				 "undefined ORIGIN value");
	st->u->attrs.origin = a->val[0];
	keep(st, a->type);
}

static void dec_aspath(struct parse_state *st, const struct attr_in *a)
{
	bool as0, confed;
	unsigned as_size = st->ctx->as4 ? 4 : 2;
	if (!wire_aspath_valid(a->val, a->len, as_size, &as0, &confed)) /* RFC 7606 7.2 */
		return malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_MALFORMED_AS_PATH,
				 "malformed AS_PATH segment");
	/* RFC 7607 2. MRT archives are replayed as recorded: old dumps hold paths with AS 0. */
	if (as0 && !st->mrt)
		return malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_MALFORMED_AS_PATH,
				 "AS 0 in AS_PATH");
	/* RFC 5065 5: confederation segments from outside the confederation (routex is never
	 * a confederation member) make the AS_PATH malformed, handled per RFC 7606 7.2. */
	if (confed && st->ctx->ebgp && !st->mrt)
		return malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_MALFORMED_AS_PATH,
				 "AS_CONFED segment from an external peer");
	st->aspath = a->val;
	st->aspath_len = a->len;
	keep(st, a->type);
}

/* RFC 4760 3: without classic NLRI the receiver SHOULD ignore NEXT_HOP, so an error in it
 * concerns no route: attribute discard, never treat-as-withdraw of MP_REACH routes, and
 * never the RFC 7606 5.2 escalation of a withdraw-only UPDATE to a reset. */
static enum wire_action nexthop_action(const struct parse_state *st)
{
	return st->nexthop_used ? WIRE_TREAT_AS_WITHDRAW : WIRE_ATTR_DISCARD;
}

static void dec_nexthop(struct parse_state *st, const struct attr_in *a)
{
	if (a->len != 4) /* RFC 7606 7.3 */
		return malformed(st, a, nexthop_action(st), WIRE_UPD_ATTR_LEN,
				 "NEXT_HOP length is not 4");
	/* RFC 4271 6.3: a semantically wrong next hop makes the routes unusable, no reset.
	 * MRT archives are replayed as recorded. */
	if (!st->mrt && (wire_get32(a->val) == 0 || a->val[0] >= 224))
		return malformed(st, a, nexthop_action(st), WIRE_UPD_INVALID_NEXT_HOP,
				 "NEXT_HOP is not a unicast host address");
	memcpy(st->u->attrs.nexthop, a->val, 4);
	keep(st, a->type);
}

static void dec_med(struct parse_state *st, const struct attr_in *a)
{
	if (a->len != 4) /* RFC 7606 7.4 */
		return malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_ATTR_LEN,
				 "MULTI_EXIT_DISC length is not 4");
	st->u->attrs.med = wire_get32(a->val);
	keep(st, a->type);
}

static void dec_local_pref(struct parse_state *st, const struct attr_in *a)
{
	if (st->ctx->ebgp) /* RFC 7606 7.5: meaningless from an external peer */
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_OPTIONAL_ATTR,
				 "LOCAL_PREF from an external peer");
	if (a->len != 4)
		return malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_ATTR_LEN,
				 "LOCAL_PREF length is not 4");
	st->u->attrs.local_pref = wire_get32(a->val);
	keep(st, a->type);
}

static void dec_atomic(struct parse_state *st, const struct attr_in *a)
{
	if (a->len != 0) /* RFC 7606 7.6 */
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_ATTR_LEN,
				 "ATOMIC_AGGREGATE length is not 0");
	st->u->attrs.atomic_aggregate = true;
	keep(st, a->type);
}

static void dec_aggregator(struct parse_state *st, const struct attr_in *a)
{
	size_t want = st->ctx->as4 ? 8 : 6;
	if (a->len != want) /* RFC 7606 7.7 */
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_ATTR_LEN,
				 "AGGREGATOR length does not match the AS size");
	uint32_t as = want == 8 ? wire_get32(a->val) : wire_get16(a->val);
	/* RFC 7607 2, handled as RFC 7606 7.7 prescribes; kept in MRT mode (as recorded). */
	if (as == 0 && !st->mrt)
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_OPTIONAL_ATTR,
				 "AS 0 in AGGREGATOR");
	st->u->attrs.aggregator_as = as;
	memcpy(st->u->attrs.aggregator_addr, a->val + want - 4, 4);
	keep(st, a->type);
}

/* COMMUNITIES, EXTENDED_COMMUNITIES, LARGE_COMMUNITIES, CLUSTER_LIST: non-empty multiples. */
static bool multiple_of(struct parse_state *st, const struct attr_in *a, size_t unit,
			const char *reason)
{
	if (a->len == 0 || a->len % unit != 0) { /* RFC 7606 7.8, 7.10, 7.14; RFC 8092 */
		malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_OPTIONAL_ATTR, reason);
		return false;
	}
	keep(st, a->type);
	return true;
}

static void dec_communities(struct parse_state *st, const struct attr_in *a)
{
	if (multiple_of(st, a, 4, "COMMUNITIES length is not a non-zero multiple of 4")) {
		st->u->attrs.communities = a->val;
		st->u->attrs.communities_len = (uint16_t)a->len;
	}
}

static void dec_ext_communities(struct parse_state *st, const struct attr_in *a)
{
	if (multiple_of(st, a, 8, "EXTENDED_COMMUNITIES length is not a non-zero multiple of 8")) {
		st->u->attrs.ext_communities = a->val;
		st->u->attrs.ext_communities_len = (uint16_t)a->len;
	}
}

static void dec_large_communities(struct parse_state *st, const struct attr_in *a)
{
	if (multiple_of(st, a, 12, "LARGE_COMMUNITIES length is not a non-zero multiple of 12")) {
		st->u->attrs.large_communities = a->val;
		st->u->attrs.large_communities_len = (uint16_t)a->len;
	}
}

static void dec_originator(struct parse_state *st, const struct attr_in *a)
{
	if (st->ctx->ebgp) /* RFC 7606 7.9 */
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_OPTIONAL_ATTR,
				 "ORIGINATOR_ID from an external peer");
	if (a->len != 4)
		return malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_ATTR_LEN,
				 "ORIGINATOR_ID length is not 4");
	st->u->attrs.originator_id = wire_get32(a->val);
	keep(st, a->type);
}

static void dec_cluster_list(struct parse_state *st, const struct attr_in *a)
{
	if (st->ctx->ebgp) /* RFC 7606 7.10 */
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_OPTIONAL_ATTR,
				 "CLUSTER_LIST from an external peer");
	if (multiple_of(st, a, 4, "CLUSTER_LIST length is not a non-zero multiple of 4")) {
		st->u->attrs.cluster_list = a->val;
		st->u->attrs.cluster_list_len = (uint16_t)a->len;
	}
}

static void dec_otc(struct parse_state *st, const struct attr_in *a)
{
	if (a->len != 4) /* RFC 9234 5 */
		return malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_ATTR_LEN,
				 "OTC length is not 4");
	st->u->attrs.otc = wire_get32(a->val);
	keep(st, a->type);
}

static void dec_as4_path(struct parse_state *st, const struct attr_in *a)
{
	bool as0, confed;
	if (st->ctx->as4) /* RFC 6793 4.2.2: between NEW speakers it is discarded */
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_OPTIONAL_ATTR,
				 "AS4_PATH on a 4-octet AS session");
	/* RFC 6793 6: a malformed AS4_PATH is discarded; confederation segments have no place
	 * in it. */
	if (!wire_aspath_valid(a->val, a->len, 4, &as0, &confed) || as0 || confed)
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_OPTIONAL_ATTR,
				 "malformed AS4_PATH");
	st->u->attrs.as4_path = a->val;
	st->u->attrs.as4_path_len = (uint16_t)a->len;
	keep(st, a->type);
}

static void dec_as4_aggregator(struct parse_state *st, const struct attr_in *a)
{
	if (st->ctx->as4)
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_OPTIONAL_ATTR,
				 "AS4_AGGREGATOR on a 4-octet AS session");
	if (a->len != 8 || wire_get32(a->val) == 0) /* RFC 6793 6, RFC 7607 */
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_ATTR_LEN,
				 "malformed AS4_AGGREGATOR");
	st->has_as4_aggr = true;
	st->as4_aggr_as = wire_get32(a->val);
	memcpy(st->as4_aggr_addr, a->val + 4, 4);
}

/* RFC 2545 3: the (first) IPv6 next hop is a neighbour's global unicast address: not
 * unspecified, loopback, IPv4-mapped (RFC 4291 2.5.5.2), link-local or multicast. */
static bool nexthop6_usable(const uint8_t *a)
{
	static const uint8_t zero[10];
	bool low_zero = memcmp(a, zero, 10) == 0;
	if (low_zero && a[10] == 0 && a[11] == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0 &&
	    a[15] <= 1)
		return false; /* :: and ::1 */
	if (low_zero && a[10] == 0xFF && a[11] == 0xFF)
		return false;
	if (a[0] == 0xFF || (a[0] == 0xFE && (a[1] & 0xC0) == 0x80))
		return false;
	return true;
}

/* MP_REACH_NLRI (RFC 4760 3). In MRT RIB entries (RFC 6396 4.3.4) the attribute may hold
 * only the next-hop length and next hop. Errors here make NLRI impossible to locate, so they
 * reset the session (RFC 7606 7.11, 5.3); RFC 4760 7 names Optional Attribute Error. */
static void dec_mp_reach(struct parse_state *st, const struct attr_in *a)
{
	struct wire_update *u = st->u;
	const uint8_t *v = a->val;
	if (st->mrt && a->len >= 1 && (size_t)v[0] + 1 == a->len) {
		if (v[0] > sizeof(u->mp_nexthop))
			return malformed(st, a, WIRE_SESSION_RESET, WIRE_UPD_OPTIONAL_ATTR,
					 "MP_REACH next hop too long");
		u->mp_nexthop_len = v[0];
		memcpy(u->mp_nexthop, v + 1, v[0]);
		u->has_mp_reach = true;
		return keep(st, a->type);
	}
	if (a->len < 5)
		return malformed(st, a, WIRE_SESSION_RESET, WIRE_UPD_OPTIONAL_ATTR,
				 "MP_REACH_NLRI shorter than 5 octets");
	uint16_t afi = wire_get16(v);
	uint8_t safi = v[2], nhlen = v[3];
	if ((size_t)nhlen + 5 > a->len || nhlen > sizeof(u->mp_nexthop))
		return malformed(st, a, WIRE_SESSION_RESET, WIRE_UPD_OPTIONAL_ATTR,
				 "MP_REACH_NLRI next hop overruns the attribute");
	enum rx_family fam;
	bool known = wire_family(afi, safi, &fam);
	/* RFC 7606 7.11: the next-hop length must fit the family. IPv6: global, or global and
	 * link-local. IPv4: 4 octets (16/32 are RFC 8950 IPv6 next hops for IPv4 NLRI). */
	bool nh_ok = afi == RX_AFI_IPV6 ? (nhlen == 16 || nhlen == 32)
					: (nhlen == 4 || nhlen == 16 || nhlen == 32);
	if (known && !nh_ok)
		return malformed(st, a, WIRE_SESSION_RESET, WIRE_UPD_OPTIONAL_ATTR,
				 "MP_REACH_NLRI next-hop length does not fit the family");
	bool addpath = known && (st->ctx->addpath_rx & RX_FAM_BIT(fam));
	const uint8_t *nlri = v + 5 + nhlen;
	size_t nlri_len = a->len - 5 - nhlen;
	if (!wire_nlri_check(nlri, nlri_len, afi, safi, addpath, &u->mp_reach))
		return malformed(st, a, WIRE_SESSION_RESET, WIRE_UPD_OPTIONAL_ATTR,
				 "MP_REACH_NLRI prefix is malformed");
	u->mp_nexthop_len = nhlen;
	memcpy(u->mp_nexthop, v + 4, nhlen);
	u->has_mp_reach = true;
	keep(st, a->type);
	/* RFC 4271 6.3 (as for NEXT_HOP): a next hop that cannot be used makes the routes
	 * unusable, and other peers must not be sent it: treat-as-withdraw (the NLRI were
	 * located above), never a reset. MRT archives are replayed as recorded. */
	if (!st->mrt && known && afi == RX_AFI_IPV6 && !nexthop6_usable(v + 4))
		malformed(st, a, WIRE_TREAT_AS_WITHDRAW, WIRE_UPD_INVALID_NEXT_HOP,
			  "MP_REACH_NLRI next hop is not a unicast address");
}

static void dec_mp_unreach(struct parse_state *st, const struct attr_in *a)
{
	if (a->len < 3) /* RFC 7606 5.3 */
		return malformed(st, a, WIRE_SESSION_RESET, WIRE_UPD_OPTIONAL_ATTR,
				 "MP_UNREACH_NLRI shorter than 3 octets");
	uint16_t afi = wire_get16(a->val);
	uint8_t safi = a->val[2];
	enum rx_family fam;
	bool addpath = wire_family(afi, safi, &fam) && (st->ctx->addpath_rx & RX_FAM_BIT(fam));
	if (!wire_nlri_check(a->val + 3, a->len - 3, afi, safi, addpath, &st->u->mp_unreach))
		return malformed(st, a, WIRE_SESSION_RESET, WIRE_UPD_OPTIONAL_ATTR,
				 "MP_UNREACH_NLRI prefix is malformed");
	st->u->has_mp_unreach = true;
	keep(st, a->type);
}

typedef void (*attr_decoder)(struct parse_state *, const struct attr_in *);

struct attr_rule {
	uint8_t flags;           /* required Optional and Transitive bits */
	uint8_t flag_action;     /* enum wire_action when they conflict */
	attr_decoder decode;
};

#define WK WIRE_AF_TRANSITIVE                       /* well-known */
#define OPT WIRE_AF_OPTIONAL                        /* optional non-transitive */
#define OPT_T (WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE) /* optional transitive */

static const struct attr_rule rules[256] = {
	[WIRE_ATTR_ORIGIN] = {WK, WIRE_TREAT_AS_WITHDRAW, dec_origin},
	[WIRE_ATTR_AS_PATH] = {WK, WIRE_TREAT_AS_WITHDRAW, dec_aspath},
	[WIRE_ATTR_NEXT_HOP] = {WK, WIRE_TREAT_AS_WITHDRAW, dec_nexthop},
	[WIRE_ATTR_MED] = {OPT, WIRE_TREAT_AS_WITHDRAW, dec_med},
	[WIRE_ATTR_LOCAL_PREF] = {WK, WIRE_TREAT_AS_WITHDRAW, dec_local_pref},
	[WIRE_ATTR_ATOMIC_AGGREGATE] = {WK, WIRE_ATTR_DISCARD, dec_atomic},
	[WIRE_ATTR_AGGREGATOR] = {OPT_T, WIRE_ATTR_DISCARD, dec_aggregator},
	[WIRE_ATTR_COMMUNITIES] = {OPT_T, WIRE_TREAT_AS_WITHDRAW, dec_communities},
	[WIRE_ATTR_ORIGINATOR_ID] = {OPT, WIRE_TREAT_AS_WITHDRAW, dec_originator},
	[WIRE_ATTR_CLUSTER_LIST] = {OPT, WIRE_TREAT_AS_WITHDRAW, dec_cluster_list},
	[WIRE_ATTR_MP_REACH_NLRI] = {OPT, WIRE_SESSION_RESET, dec_mp_reach},
	[WIRE_ATTR_MP_UNREACH_NLRI] = {OPT, WIRE_SESSION_RESET, dec_mp_unreach},
	[WIRE_ATTR_EXT_COMMUNITIES] = {OPT_T, WIRE_TREAT_AS_WITHDRAW, dec_ext_communities},
	[WIRE_ATTR_AS4_PATH] = {OPT_T, WIRE_ATTR_DISCARD, dec_as4_path},
	[WIRE_ATTR_AS4_AGGREGATOR] = {OPT_T, WIRE_ATTR_DISCARD, dec_as4_aggregator},
	[WIRE_ATTR_LARGE_COMMUNITIES] = {OPT_T, WIRE_TREAT_AS_WITHDRAW, dec_large_communities},
	[WIRE_ATTR_OTC] = {OPT_T, WIRE_TREAT_AS_WITHDRAW, dec_otc},
};

/* Attributes that are not ours to relay even though they are optional transitive: BGP-LS
 * (29) belongs to a family a unicast route server does not carry, and a corrupt one reset
 * sessions across the Internet in 2023 when relayed (RFC 9552 5.3 forbids resets). */
static bool never_relay(uint8_t type)
{
	return type == 29;
}

static void unknown_attr(struct parse_state *st, const struct attr_in *a)
{
	if (!(a->flags & WIRE_AF_OPTIONAL)) /* RFC 4271 6.3 */
		return malformed(st, a, WIRE_SESSION_RESET, WIRE_UPD_UNRECOGNIZED_WELLKNOWN,
				 "unrecognized well-known attribute");
	if (!(a->flags & WIRE_AF_TRANSITIVE))
		return; /* optional non-transitive: quietly ignored (RFC 4271 5) */
	if (never_relay(a->type))
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_OPTIONAL_ATTR,
				 "BGP-LS attribute outside BGP-LS: discarded");
	uint8_t *o = wire_scratch_alloc(st->s, a->raw_len);
	if (!o)
		return malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_OPTIONAL_ATTR,
				 "too many unknown attributes");
	struct wire_attrs *at = &st->u->attrs;
	if (!at->unknown)
		at->unknown = o;
	/* Copies are contiguous only while nothing else is allocated in between; AS paths are
	 * widened after the pass, so the unknown block stays in one piece. */
	memcpy(o, a->raw, a->raw_len);
	/* RFC 4271 5: we did not understand it. RFC 4271 4.3: the low four flag bits are
	 * ignored on receipt but MUST be zero when sent, and this copy is what we send. */
	o[0] = (uint8_t)((o[0] & 0xF0) | WIRE_AF_PARTIAL);
	at->unknown_len = (uint16_t)(at->unknown_len + a->raw_len);
}

static bool seen_before(struct parse_state *st, uint8_t type)
{
	uint8_t bit = (uint8_t)(1u << (type & 7));
	bool dup = st->seen[type >> 3] & bit;
	st->seen[type >> 3] |= bit;
	return dup;
}

static void one_attr(struct parse_state *st, const struct attr_in *a)
{
	if (seen_before(st, a->type)) { /* RFC 7606 3.g */
		if (a->type == WIRE_ATTR_MP_REACH_NLRI || a->type == WIRE_ATTR_MP_UNREACH_NLRI)
			malformed(st, a, WIRE_SESSION_RESET, WIRE_UPD_MALFORMED_ATTR_LIST,
				  "duplicate MP attribute");
		else
			malformed(st, a, WIRE_ATTR_DISCARD, WIRE_UPD_MALFORMED_ATTR_LIST,
				  "duplicate attribute: first kept");
		return;
	}
	const struct attr_rule *r = &rules[a->type];
	if (!r->decode)
		return unknown_attr(st, a);
	/* RFC 7606 7.5, 7.9, 7.10: from an external peer these are discarded whatever they
	 * hold, flags included (3.c yields to an attribute's own rule). */
	if (st->ctx->ebgp && (a->type == WIRE_ATTR_LOCAL_PREF ||
			      a->type == WIRE_ATTR_ORIGINATOR_ID ||
			      a->type == WIRE_ATTR_CLUSTER_LIST))
		return r->decode(st, a);
	uint8_t ot = a->flags & (WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE);
	/* RFC 4271 4.3: the Partial bit is only meaningful on optional transitive attributes;
	 * the low four bits are ignored on receipt. */
	if (ot != r->flags) {
		enum wire_action act = a->type == WIRE_ATTR_NEXT_HOP
					       ? nexthop_action(st)
					       : (enum wire_action)r->flag_action;
		return malformed(st, a, act, WIRE_UPD_ATTR_FLAGS,
				 "attribute flags conflict with its type");
	}
	r->decode(st, a);
}

/* RFC 6793 4.2.3: rebuild the real path of a 2-octet session. */
static void finish_aspath(struct parse_state *st)
{
	struct wire_attrs *at = &st->u->attrs;
	if (!st->aspath)
		return;
	if (st->ctx->as4) {
		at->aspath = st->aspath;
		at->aspath_len = (uint16_t)st->aspath_len;
		return;
	}
	uint8_t *wide = wire_scratch_alloc(st->s, st->aspath_len * 2);
	size_t wlen = wire_aspath_widen(st->aspath, st->aspath_len, wide);
	if (wlen > UINT16_MAX) {
		/* Over 16,000 ASes (an RFC 8654 message): the 4-octet form does not fit
		 * aspath_len. No real path is this long; refuse it rather than truncate. */
		at->present &= ~WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH);
		wire_err_note(&st->u->err, WIRE_TREAT_AS_WITHDRAW, WIRE_ERR_UPDATE,
			      WIRE_UPD_MALFORMED_AS_PATH, WIRE_ATTR_AS_PATH, NULL, 0,
			      "AS_PATH too long in 4-octet form");
		return;
	}
	at->aspath = wide;
	at->aspath_len = (uint16_t)wlen;
	bool use_as4 = WIRE_HAS(at, WIRE_ATTR_AS4_PATH);
	if (WIRE_HAS(at, WIRE_ATTR_AGGREGATOR) && st->has_as4_aggr) {
		if (at->aggregator_as != WIRE_AS_TRANS) {
			use_as4 = false; /* the aggregator was an OLD speaker: ignore both AS4s */
		} else {
			at->aggregator_as = st->as4_aggr_as;
			memcpy(at->aggregator_addr, st->as4_aggr_addr, 4);
		}
	}
	if (!use_as4)
		return;
	size_t cap = wlen + at->as4_path_len;
	uint8_t *merged = wire_scratch_alloc(st->s, cap);
	size_t mlen = merged ? wire_aspath_merge4(wide, wlen, at->as4_path, at->as4_path_len,
						  merged, cap)
			     : 0;
	if (mlen && mlen <= UINT16_MAX) {
		at->aspath = merged;
		at->aspath_len = (uint16_t)mlen;
	}
}

/* Walks the attribute block. Returns false on a framing error (RFC 7606 4), after noting
 * it; what was decoded before stays. */
static bool walk_attrs(struct parse_state *st, const uint8_t *buf, size_t len)
{
	const uint8_t *p = buf, *end = buf + len;
	while (p < end) {
		size_t left = (size_t)(end - p);
		bool ext = left >= 1 && (p[0] & WIRE_AF_EXT_LEN);
		size_t hdr = ext ? 4 : 3;
		if (left < hdr || hdr + (ext ? wire_get16(p + 2) : p[2]) > left) {
			wire_err_note(&st->u->err, WIRE_TREAT_AS_WITHDRAW, WIRE_ERR_UPDATE,
				      WIRE_UPD_ATTR_LEN, left >= 2 ? p[1] : 0, p, left,
				      "attribute overruns the attribute block");
			return false;
		}
		struct attr_in a = {
			.raw = p,
			.flags = p[0],
			.type = p[1],
			.val = p + hdr,
			.len = ext ? wire_get16(p + 2) : p[2],
		};
		a.raw_len = hdr + a.len;
		p += a.raw_len;
		if (a.type != WIRE_ATTR_MP_UNREACH_NLRI)
			st->n_other++;
		one_attr(st, &a);
	}
	return true;
}

bool wire_attrs_walk(const uint8_t *buf, size_t len, const struct wire_ctx *ctx, bool mrt_mode,
		     bool nexthop_used, struct wire_update *u, struct wire_scratch *scratch,
		     unsigned *n_other)
{
	struct parse_state st = {
		.ctx = ctx, .mrt = mrt_mode, .nexthop_used = nexthop_used, .u = u, .s = scratch};
	bool framed = walk_attrs(&st, buf, len);
	finish_aspath(&st);
	*n_other = st.n_other;
	return framed;
}

enum wire_action wire_attrs_parse(const uint8_t *buf, size_t len, const struct wire_ctx *ctx,
				  bool mrt_mode, struct wire_update *u,
				  struct wire_scratch *scratch)
{
	memset(u, 0, sizeof(*u));
	scratch->used = 0;
	unsigned n_other;
	wire_attrs_walk(buf, len, ctx, mrt_mode, true, u, scratch, &n_other);
	return u->err.action;
}
