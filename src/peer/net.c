/* net.c: socket set-up for BGP sessions: listeners, non-blocking connects, TCP-MD5
 * (RFC 2385, Linux TCP_MD5SIG) and GTSM (RFC 5082, IP_MINTTL / IPV6_MINHOPCOUNT). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

int net_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int net_md5(int fd, const struct sockaddr *peer, socklen_t len, const char *key)
{
	struct tcp_md5sig sig;
	memset(&sig, 0, sizeof(sig));
	memcpy(&sig.tcpm_addr, peer, len);
	size_t klen = key ? strlen(key) : 0; /* empty key: removes it */
	if (klen > TCP_MD5SIG_MAXKEYLEN)
		return errno = EINVAL, -1;
	sig.tcpm_keylen = (uint16_t)klen;
	memcpy(sig.tcpm_key, key ? key : "", klen);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig));
}

/* RFC 5082 3: send with TTL 255, accept only 255 - hops + 1 (one hop: 255). */
int net_gtsm(int fd, int family)
{
	int ttl = 255, min = 255;
	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) < 0)
			return -1;
		return setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min, sizeof(min));
	}
	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0)
		return -1;
	return setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof(min));
}

/* Small per-connection options: no Nagle delay for KEEPALIVEs, and DSCP CS6 for network
 * control traffic (RFC 4594). Failures are harmless. */
static void tune(int fd, int family)
{
	int one = 1, tos = 0xC0;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
}

int net_listen(const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, sa, len) < 0 || listen(fd, 128) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int net_connect(const struct sockaddr *remote, socklen_t rlen, const struct sockaddr *local,
		socklen_t llen, const char *md5, bool gtsm)
{
	int fd = socket(remote->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	tune(fd, remote->sa_family);
	bool ok = (!local || bind(fd, local, llen) == 0) &&
		  (!md5 || !md5[0] || net_md5(fd, remote, rlen, md5) == 0) &&
		  (!gtsm || net_gtsm(fd, remote->sa_family) == 0);
	if (ok && connect(fd, remote, rlen) < 0 && errno != EINPROGRESS)
		ok = false;
	if (!ok) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int net_accept(int lfd, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof(*ss);
	int fd = accept4(lfd, (struct sockaddr *)ss, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0)
		tune(fd, ss->ss_family);
	return fd;
}

int net_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

bool net_same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return false;
}
