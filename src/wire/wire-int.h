/* wire-int.h: helpers shared by the codec's source files (not part of the interface). */
#ifndef ROUTEX_WIRE_INT_H
#define ROUTEX_WIRE_INT_H

#include <routex/compiler.h>
#include <routex/wire.h>

/* Records an error in e, keeping the strongest action (RFC 7606 3.h) and, for equal
 * actions, the first error's details. */
void wire_err_note(struct wire_error *e, enum wire_action action, uint8_t code, uint8_t subcode,
		   uint8_t attr_type, const uint8_t *data, size_t data_len, const char *reason);
void wire_err_clear(struct wire_error *e);

/* Scratch allocation; returns NULL when exhausted (cannot happen for messages within the
 * documented bound, but callers treat it as a malformed message). */
uint8_t *wire_scratch_alloc(struct wire_scratch *s, size_t n);

/* AS paths: validation and widening. */
bool wire_aspath_valid(const uint8_t *p, size_t len, unsigned as_size, bool *has_as0,
		       bool *has_confed);
/* Widens 2-octet segments to 4-octet form; returns the new length. out must hold 2*len. */
size_t wire_aspath_widen(const uint8_t *p, size_t len, uint8_t *out);
/* RFC 6793 4.2.3: merges a widened AS_PATH with AS4_PATH into out (cap bytes). */
size_t wire_aspath_merge4(const uint8_t *path, size_t len, const uint8_t *as4, size_t as4_len,
			  uint8_t *out, size_t cap);

/* Decodes an attribute block into u (which the caller has initialised). nexthop_used: the
 * message has classic IPv4 NLRI, or the block stands alone (RFC 4760 3 otherwise makes
 * NEXT_HOP irrelevant). Returns false when the block's framing is broken (RFC 7606 4),
 * after noting the error. */
bool wire_attrs_walk(const uint8_t *buf, size_t len, const struct wire_ctx *ctx, bool mrt_mode,
		     bool nexthop_used, struct wire_update *u, struct wire_scratch *scratch,
		     unsigned *n_other);

#endif
