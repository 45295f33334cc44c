/* net.h: socket helpers of the session layer (internal to src/peer). All sockets are
 * non-blocking and close-on-exec. Functions return -1 with errno set on failure. */
#ifndef ROUTEX_PEER_NET_H
#define ROUTEX_PEER_NET_H

#include <stdbool.h>
#include <sys/socket.h>

int net_nonblock(int fd);
/* Installs (or, with an empty key, removes) the TCP-MD5 key for a peer address. */
int net_md5(int fd, const struct sockaddr *peer, socklen_t len, const char *key);
int net_gtsm(int fd, int family);
int net_listen(const struct sockaddr *sa, socklen_t len);
/* Starts a non-blocking connect; completion shows as writability (net_connect_result). */
int net_connect(const struct sockaddr *remote, socklen_t rlen, const struct sockaddr *local,
		socklen_t llen, const char *md5, bool gtsm);
int net_accept(int lfd, struct sockaddr_storage *ss, socklen_t *len);
/* 0 when the connect succeeded, else the errno it failed with. */
int net_connect_result(int fd);
bool net_same_addr(const struct sockaddr *a, const struct sockaddr *b);

#endif
