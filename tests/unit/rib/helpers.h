/* helpers.h: building attribute sets and RIBs for the RIB tests. */
#ifndef RX_TEST_RIB_HELPERS_H
#define RX_TEST_RIB_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include <routex/rib.h>

/* A compact description of an attribute set. */
struct tattr {
	bool has_lp, has_med, has_orig;
	uint32_t lp, med, originator;
	uint8_t origin;
	unsigned n_as;
	uint32_t as[16];
	bool as_set; /* the last AS is a one-member AS_SET */
	unsigned n_cluster;
	uint32_t nh;	    /* IPv4 next hop, host order */
	uint32_t community; /* 0: none */
};

struct attr_set *t_attr(struct rib *rib, const struct tattr *ta);
struct rx_prefix t_pfx(const char *s);
/* Interns ta, announces it and drops the helper's own reference. */
bool t_announce(struct rib *rib, uint16_t src, uint32_t path_id, const char *pfx,
		const struct tattr *ta);
void t_peer(struct rib *rib, uint16_t src, uint32_t asn, uint32_t router_id, const char *addr,
	    uint8_t role);
/* Best (paths[0]) of a prefix, or NULL. */
const struct rib_path *t_best(const struct rib *rib, const char *pfx, unsigned *n,
			      unsigned *n_ecmp);

#endif
