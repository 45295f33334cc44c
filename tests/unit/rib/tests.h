/* tests.h: the groups of test_rib. */
#ifndef RX_TEST_RIB_TESTS_H
#define RX_TEST_RIB_TESTS_H
int run_radix_tests(void);
int run_decide_tests(void);
int run_rib_tests(void);
int run_model_tests(void);
int run_lpm_tests(void);
#endif
