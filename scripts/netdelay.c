// netdelay: holds every packet of a netfilter queue for a fixed time, then lets it go — a one-way link
// delay for kernels without tc netem (Firecracker guests, for one). scripts/mpi-two-hosts builds and
// starts it in each network namespace, behind an iptables rule that sends the link's outgoing packets
// to the queue:
//
//   iptables -A OUTPUT -o DEV -j NFQUEUE --queue-num 7
//   netdelay 7 200          # queue 7, 200 microseconds
//
// Packets leave in arrival order: one delay for all, so the oldest is always the next one due, and one
// batch verdict accepts every packet up to the newest one due. Only the packet's metadata crosses into
// this process (NFQNL_COPY_META), and GSO packets are queued whole (NFQA_CFG_F_GSO), so a 1 Gbit/s
// TCP stream is a few thousand queue entries per second. Timers run with 1 µs slack.
//
// Build: cc -O2 -o netdelay scripts/netdelay.c -lnetfilter_queue -lnfnetlink   (Debian: libnetfilter-queue-dev)
// Stops on SIGTERM or SIGINT, accepting what it still holds.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

enum { CAPACITY = 1 << 16 };

/// The packets held, oldest first: their queue ids and the times they may leave (ns, CLOCK_MONOTONIC).
static uint32_t held_id[CAPACITY];
static int64_t held_due[CAPACITY];
static size_t head = 0, count = 0;
static int64_t delay_ns = 0;
static volatile sig_atomic_t stopping = 0;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/// Accepts every held packet whose time has come (all of them when `everything`), with one verdict.
static void release_due(struct nfq_q_handle *queue, int everything) {
    int64_t now = now_ns();
    uint32_t last = 0;
    int any = 0;
    while (count > 0 && (everything || held_due[head] <= now)) {
        last = held_id[head];
        any = 1;
        head = (head + 1) % CAPACITY;
        count -= 1;
    }
    if (any) nfq_set_verdict_batch(queue, last, NF_ACCEPT);
}

/// Records a packet as it arrives; when the buffer is full the oldest leave early rather than be lost.
static int on_packet(struct nfq_q_handle *queue, struct nfgenmsg *message, struct nfq_data *data, void *context) {
    (void)message; (void)context;
    struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr(data);
    if (header == NULL) return 0;
    if (count == CAPACITY) {
        nfq_set_verdict(queue, held_id[head], NF_ACCEPT, 0, NULL);
        head = (head + 1) % CAPACITY;
        count -= 1;
    }
    size_t slot = (head + count) % CAPACITY;
    held_id[slot] = ntohl(header->packet_id);
    held_due[slot] = now_ns() + delay_ns;
    count += 1;
    return 0;
}

static void on_signal(int signal) { (void)signal; stopping = 1; }

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: netdelay QUEUE-NUMBER MICROSECONDS\n");
        return 2;
    }
    int queue_number = atoi(argv[1]);
    double microseconds = atof(argv[2]);
    if (queue_number < 0 || queue_number > 65535 || !(microseconds >= 0 && microseconds <= 10e6)) {
        fprintf(stderr, "netdelay: queue number must be 0-65535 and the delay 0-10000000 µs, got %s %s\n", argv[1], argv[2]);
        return 2;
    }
    delay_ns = (int64_t)(microseconds * 1000.0);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    struct nfq_handle *handle = nfq_open();
    if (handle == NULL) { perror("netdelay: nfq_open"); return 1; }
    struct nfq_q_handle *queue = nfq_create_queue(handle, (uint16_t)queue_number, on_packet, NULL);
    if (queue == NULL) { perror("netdelay: nfq_create_queue"); return 1; }
    if (nfq_set_mode(queue, NFQNL_COPY_META, 0) < 0) { perror("netdelay: nfq_set_mode"); return 1; }
    nfq_set_queue_maxlen(queue, CAPACITY);
    nfq_set_queue_flags(queue, NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN);
    int socket = nfq_fd(handle);
    nfnl_rcvbufsiz(nfq_nfnlh(handle), 8 << 20);
    printf("netdelay: queue %d, %.1f µs\n", queue_number, microseconds);
    fflush(stdout);

    char buffer[65536] __attribute__((aligned));
    while (!stopping) {
        struct timespec wait = {0, 100000000};  // at most 100 ms when nothing is held
        if (count > 0) {
            int64_t left = held_due[head] - now_ns();
            if (left < 0) left = 0;
            wait.tv_sec = left / 1000000000;
            wait.tv_nsec = left % 1000000000;
        }
        struct pollfd ready = {socket, POLLIN, 0};
        int events = ppoll(&ready, 1, &wait, NULL);
        if (events < 0 && errno != EINTR) { perror("netdelay: ppoll"); break; }
        if (events > 0) {
            // Drain what has arrived without blocking.
            for (;;) {
                ssize_t length = recv(socket, buffer, sizeof buffer, MSG_DONTWAIT);
                if (length < 0) {
                    if (errno == ENOBUFS) continue;  // the kernel dropped messages; the queue fails open
                    break;
                }
                nfq_handle_packet(handle, buffer, (int)length);
            }
        }
        release_due(queue, 0);
    }
    release_due(queue, 1);
    nfq_destroy_queue(queue);
    nfq_close(handle);
    return 0;
}
