/* rpki-int.h: what rtr.c shares with its unit test (not an interface for other modules). */
#ifndef ROUTEX_RPKI_INT_H
#define ROUTEX_RPKI_INT_H

#include <rtrlib/rtrlib.h>

#include <routex/rpki.h>

/* The state of (p, origin of aspath) in librtr table t: rpki_validate without a client. */
uint8_t rpki_table_validate(struct pfx_table *t, const struct rx_prefix *p, const uint8_t *aspath,
			    size_t len, uint32_t own_as);
/* A librtr record as the ROA change handed to the decision thread. */
void rpki_roa_of(const struct pfx_record *rec, bool added, struct rpki_roa *roa);

#endif
