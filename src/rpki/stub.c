/* stub.c: the RTR client when routexd is built without librtr (CMake says so): a config
 * with `rpki` is refused at start with a clear reason instead of running unvalidated. */
#include <string.h>

#include <routex/rib-t.h>
#include <routex/rpki.h>

bool rpki_supported(void)
{
	return false;
}

struct rpki *rpki_new(const struct conf_rpki *c, rpki_notify_fn notify, void *ctx, char *err,
		      size_t errlen)
{
	snprintf(err, errlen, "rpki: this routexd was built without librtr (install librtr-dev "
			      "and rebuild)");
	return NULL;
}

bool rpki_start(struct rpki *r, char *err, size_t errlen)
{
	return false;
}

void rpki_free(struct rpki *r)
{
}

uint8_t rpki_validate(struct rpki *r, const struct rx_prefix *p, const uint8_t *aspath,
		      size_t len, uint32_t own_as)
{
	return RIB_RPKI_NOT_FOUND;
}

size_t rpki_take(struct rpki *r, struct rpki_roa **v)
{
	*v = NULL;
	return 0;
}

void rpki_stats(struct rpki *r, struct rpki_stats *s)
{
	memset(s, 0, sizeof(*s));
}

void rpki_cache(struct rpki *r, size_t i, char *name, size_t len, bool *in_sync,
		uint32_t *serial)
{
}

void rpki_show(struct rpki *r, FILE *out, bool json)
{
}
