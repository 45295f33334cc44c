/* compiler.h: small portability and assertion helpers shared by every module.
 *
 * RX_ASSERT is always on: it guards impossible states only (a peer can never trigger it;
 * peer-caused errors become NOTIFICATIONs, resets or treat-as-withdraw). */
#ifndef ROUTEX_COMPILER_H
#define ROUTEX_COMPILER_H

#include <stdio.h>
#include <stdlib.h>

#define RX_LIKELY(x)   __builtin_expect(!!(x), 1)
#define RX_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define RX_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define RX_UNUSED __attribute__((unused))
#define RX_PRINTF(f, a) __attribute__((format(printf, f, a)))

#define RX_ASSERT(cond)                                                              \
	do {                                                                         \
		if (RX_UNLIKELY(!(cond))) {                                          \
			fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__,  \
				__LINE__, #cond);                                    \
			abort();                                                     \
		}                                                                    \
	} while (0)

#endif
