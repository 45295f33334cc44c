/* test_advertised6.c: an originated IPv6 prefix without next-hop-ipv6 is "kept but
 * advertised to nobody" (docs/config.md). It used to be selected for the group, counted in
 * the member's advertised count (routex_peer_prefixes_advertised) and only turned into a
 * withdrawal when packed, so the count exceeded `show advertised` (export_held), and it hid
 * any peer's path for the same prefix. export_select now skips it like any path that is not
 * sent (found by review4 with test_export's policy-walk model). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <routex/export.h>
#include <routex/rib.h>
#include <routex/wire.h>

static struct rib rib;
static struct export_state ex;
static size_t adv;
static size_t sent;

static void capture(void *ctx, struct io_out *o)
{
	(void)ctx;
	sent += o->len;
}

static void originate(const char *prefix)
{
	struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH)};
	static uint8_t data[64];
	static const uint8_t none[1];
	struct attr_buf ab = {.data = data, .cap = sizeof(data)};
	assert_true(attr_encode(&wa, none, 0, &ab));
	struct attr_set *a = attr_intern_w(&rib.attrs, &ab);
	struct rx_prefix p;
	assert_true(rx_prefix_parse(prefix, &p, false));
	rib_update_w(&rib, RIB_SRC_LOCAL, 0, &p, a);
	attr_unref_w(&rib.attrs, a);
}

static void sync_changes(void)
{
	struct rib_changes c = {0};
	rib_changes_take_w(&rib, &c);
	export_changes_w(&ex, &rib, &c);
	rib_changes_release_w(&rib, &c);
}

static size_t held(const struct export_key *k, const char *prefix)
{
	struct rx_prefix p;
	assert_true(rx_prefix_parse(prefix, &p, false));
	const struct rib_node *nd = rib_find_rcu(&rib, &p);
	if (!nd)
		return 0;
	const struct rib_tree *t = rib_tree(&rib, p.afi);
	return export_held(&ex, &rib, 1, k, &p, rib_node_paths(t, nd),
			   rib_node_selectable(&rib, t, nd)) != NULL;
}

static void test_originated_ipv6_without_nexthop(void **state)
{
	(void)state;
	rx_rcu_register();
	struct rib_conf rc;
	rib_conf_default(&rc);
	rib_init(&rib, &rc);
	struct export_policy pol = {.asn = 65515, .router_id = 0x0aff0001}; /* no next-hop-ipv6 */
	export_init(&ex, &pol);
	struct rib_peer_info info = {.asn = 65001, .router_id = 1, .afi = RX_AFI_IPV4,
				     .role = RIB_ROLE_NVA, .addr = {127, 0, 0, 1}};
	rib_peer_add_w(&rib, 1, &info);
	const struct export_key k = {.role = RIB_ROLE_NVA,
				     .families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) |
						 RX_FAM_BIT(RX_FAM_IPV6_UNICAST),
				     .as4 = true, .ebgp = true};
	export_member_up_w(&ex, &rib, &k, 1, capture, NULL, &adv);
	originate("10.1.0.0/16");
	originate("2001:db8:100::/48");
	sync_changes();
	size_t want = held(&k, "10.1.0.0/16") + held(&k, "2001:db8:100::/48");
	assert_int_equal(want, 1); /* the IPv4 one; the IPv6 one has no next hop to go with */
	assert_int_equal(adv, want);
	/* Another NVA's path for the same prefix, with an IPv6 next hop: it is what member 1
	 * is sent (the originated path ranks first but cannot go). */
	struct rib_peer_info info2 = {.asn = 65002, .router_id = 2, .afi = RX_AFI_IPV6,
				      .role = RIB_ROLE_NVA, .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
	rib_peer_add_w(&rib, 2, &info2);
	uint8_t path[6] = {WIRE_AS_SEQUENCE, 1}, nh6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	wire_put32(path + 2, 65002);
	struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH),
				.aspath = path, .aspath_len = sizeof(path)};
	static uint8_t data[128];
	struct attr_buf ab = {.data = data, .cap = sizeof(data)};
	assert_true(attr_encode(&wa, nh6, 16, &ab));
	struct attr_set *a = attr_intern_w(&rib.attrs, &ab);
	struct rx_prefix p;
	assert_true(rx_prefix_parse("2001:db8:100::/48", &p, false));
	rib_update_w(&rib, 2, 0, &p, a);
	attr_unref_w(&rib.attrs, a);
	size_t before = sent;
	sync_changes();
	assert_true(sent > before);
	assert_int_equal(held(&k, "2001:db8:100::/48"), 1);
	assert_int_equal(adv, 2);
	export_member_down_w(&ex, 1);
	export_fini(&ex);
	rib_fini(&rib);
	rx_rcu_unregister();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_originated_ipv6_without_nexthop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
