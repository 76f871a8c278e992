// A tiny single-threaded epoll echo server: bench/run's `c-epoll` peer, the machine's limit for an
// echo server, against which every server of the matrix is measured (issue 16).
//
// From bench/results/generator-check.md, where it was written to show that the load generator is
// not the bottleneck (issue 7), with two changes for the matrix, where one process serves several
// tests one after the other: SIGPIPE is ignored (a write to a connection the generator has closed
// would otherwise end the process), and the limit of open files is raised to its hard limit (10,000
// connections), as the JVM does for the Java servers. Not part of the library.
//
// bench/run builds it with `gcc -O2` into its temporary directory.
// Usage: epoll_echo [PORT [poll]]  (binds 127.0.0.1, port 0 = any; poll: never sleep)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct { int fd; char *pend; size_t len; } conn;

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int spin = argc > 2 && strcmp(argv[2], "poll") == 0;   // busy-poll: epoll_wait never sleeps
    signal(SIGPIPE, SIG_IGN);
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *) &a, sizeof a) || listen(ls, 4096)) { perror("bind/listen"); return 1; }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *) &a, &al);
    printf("listening on tcp://127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    static char buf[65536];
    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(ep, evs, 512, spin ? 0 : -1);
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    struct epoll_event e = { .events = EPOLLIN, .data.ptr = nc };
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
                }
                continue;
            }
            if (c->len) {   // flush what is pending first
                ssize_t w = write(c->fd, c->pend, c->len);
                if (w < 0 && errno != EAGAIN) goto close_it;
                if (w > 0) { memmove(c->pend, c->pend + w, c->len - w); c->len -= w; }
                if (c->len) continue;
                struct epoll_event e = { .events = EPOLLIN, .data.ptr = c };
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
            }
            ssize_t r = read(c->fd, buf, sizeof buf);
            if (r == 0 || (r < 0 && errno != EAGAIN)) goto close_it;
            if (r < 0) continue;
            ssize_t w = write(c->fd, buf, r);
            if (w < 0 && errno != EAGAIN) goto close_it;
            if (w < 0) w = 0;
            if (w < r) {
                c->pend = realloc(c->pend, r - w);
                memcpy(c->pend, buf + w, r - w);
                c->len = r - w;
                struct epoll_event e = { .events = EPOLLOUT, .data.ptr = c };
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
            }
            continue;
        close_it:
            close(c->fd);
            free(c->pend);
            free(c);
        }
    }
}
