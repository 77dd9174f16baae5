// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The batch API under load: 250,000 sequence-numbered frames of varying length from a TX socket on
 * va to an RX socket on vb, 64 at a time with seek_n/peek_at/commit_n, one thread per namespace
 * (each enters its side with lab_enter and creates its socket there).  Flow control is a window:
 * TX never has more than WINDOW frames beyond what RX has released, so no ring on the way can
 * overflow.  Every frame must arrive once, in order, byte for byte.  Frames/s is printed for
 * information only.
 */
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define COUNT	250000u
#define BATCH	64u
#define WINDOW	1024u		/* < RX ring (2048) and fill ring (2048) */
#define DPORT	9400
#define LIMIT_S	45.0

static struct lab *l;
static pthread_barrier_t ready;
static uint32_t received;	/* released by RX; read by TX for the window */
static volatile int failed;
static double t_start, t_end;

static void *tx_thread(void *arg)
{
	struct xdpsock_tx *tx;
	struct xdpsock_stats st;
	uint32_t sent = 0, stalls = 0;
	double end;
	int err, ifindex;
	uint64_t loops;

	(void)arg;
	lab_enter(l, LAB_A);
	ifindex = (int)if_nametoindex("va");
	CHECK(ifindex > 0, "no va in this thread's namespace");
	err = xdpsock_tx_create(&tx, ifindex, 0, NULL);
	CHECK(err == 0, "tx_create: %d %s", err, xdpsock_errmsg());
	pthread_barrier_wait(&ready);
	end = lab_now() + LIMIT_S;
	for (loops = 0; sent < COUNT && !failed; loops++) {
		uint32_t in_flight = sent - __atomic_load_n(&received, __ATOMIC_ACQUIRE);
		uint32_t want = COUNT - sent, k, i;

		if (!(loops & 1023) && lab_now() >= end) {
			xdpsock_tx_stats(tx, &st);
			fprintf(stderr, "tx stall: census free %u user %u tx %u comp %u kernel %u; frames %llu completed %llu wakeups %llu invalid %llu empty %llu\n",
				st.frames.free, st.frames.user, st.frames.tx, st.frames.comp, st.frames.kernel,
				(unsigned long long)st.tx_frames, (unsigned long long)st.tx_completed,
				(unsigned long long)st.tx_wakeups, (unsigned long long)st.tx_invalid_descs,
				(unsigned long long)st.tx_ring_empty_descs);
		}
		CHECK((loops & 1023) || lab_now() < end, "TX: sent %u of %u in %.0f s", sent, COUNT, LIMIT_S);
		CHECK(in_flight <= WINDOW, "TX ran %u frames ahead of RX (window %u)", in_flight, WINDOW);
		if (want > WINDOW - in_flight)
			want = WINDOW - in_flight;
		if (want > BATCH)
			want = BATCH;
		if (want == 0 || (k = (uint32_t)xdpsock_tx_seek_n(tx, want)) == 0) {
			/* Window full or no free frame: make sure the kernel works, let RX run. */
			xdpsock_tx_kick(tx);
			stalls++;
			sched_yield();
			continue;
		}
		CHECK(k <= want, "seek_n(%u) = %u", want, k);
		for (i = 0; i < k; i++) {
			uint32_t seq = sent + i, len = lab_frame_len(seq);
			uint8_t *p = xdpsock_tx_peek_at(tx, i, len);

			CHECK(p, "peek_at(%u, %u): %s", i, len, strerror(errno));
			lab_udp_frame(l, LAB_A, p, len, seq, DPORT);
		}
		err = xdpsock_tx_commit_n(tx, k);
		CHECK(err == (int)k, "commit_n(%u) = %d", k, err);
		sent += k;
		err = xdpsock_tx_kick(tx);
		CHECK(err >= 0, "kick: %d", err);
		if (!(loops & 1)) {
			const struct xdpsock_census *c = &st.frames;
			uint64_t sum;

			CHECK(xdpsock_tx_stats(tx, &st) == 0, "tx_stats");
			sum = (uint64_t)c->free + c->user + c->fill + c->rx + c->tx + c->comp + c->kernel;
			CHECK(c->total == 4096 && sum == 4096,
			      "TX census under load adds up to %llu: free %u user %u tx %u comp %u kernel %u",
			      (unsigned long long)sum, c->free, c->user, c->tx, c->comp, c->kernel);
		}
	}
	/* Everything committed: kick until the ring is empty (RX checks arrival). */
	for (loops = 0; !failed; loops++) {
		CHECK(xdpsock_tx_stats(tx, &st) == 0, "tx_stats");
		if (!st.frames.tx)
			break;
		CHECK(lab_now() < end, "TX ring not drained: %u frames left", st.frames.tx);
		xdpsock_tx_kick(tx);
		sched_yield();
	}
	CHECK(xdpsock_tx_stats(tx, &st) == 0, "tx_stats");
	CHECK(st.tx_frames == COUNT, "tx_frames %llu", (unsigned long long)st.tx_frames);
	CHECK(st.tx_invalid_descs == 0 && st.tx_bad_descs == 0, "invalid TX descriptors: %llu/%llu",
	      (unsigned long long)st.tx_invalid_descs, (unsigned long long)st.tx_bad_descs);
	printf("tx: %u frames, %llu completed, %llu wakeups, %u stalls\n", sent, (unsigned long long)st.tx_completed,
	       (unsigned long long)st.tx_wakeups, stalls);
	xdpsock_tx_destroy(tx);
	return NULL;
}

static void *rx_thread(void *arg)
{
	struct xdpsock_rx *rx;
	struct xdpsock_stats st;
	uint8_t want[2048];
	uint32_t got = 0, others = 0, census_checks = 0;
	double end;
	int err, ifindex;
	uint64_t loops;

	(void)arg;
	lab_enter(l, LAB_B);
	ifindex = (int)if_nametoindex("vb");
	CHECK(ifindex > 0, "no vb in this thread's namespace");
	err = xdpsock_rx_create(&rx, ifindex, 0, NULL);
	CHECK(err == 0, "rx_create: %d %s", err, xdpsock_errmsg());
	pthread_barrier_wait(&ready);
	t_start = lab_now();
	end = t_start + LIMIT_S;
	for (loops = 0; got < COUNT; loops++) {
		int k = xdpsock_rx_seek_n(rx, BATCH), i;

		if (k == 0 || !(loops & 63)) {
			if (lab_now() >= end) {
				xdpsock_rx_stats(rx, &st);
				fprintf(stderr, "rx stall: census free %u fill %u rx %u user %u kernel %u; dropped %llu ring_full %llu fill_empty %llu deferred %llu wakeups %llu\n",
					st.frames.free, st.frames.fill, st.frames.rx, st.frames.user, st.frames.kernel,
					(unsigned long long)st.rx_dropped, (unsigned long long)st.rx_ring_full,
					(unsigned long long)st.rx_fill_ring_empty_descs, (unsigned long long)st.rx_deferred,
					(unsigned long long)st.rx_wakeups);
			}
			CHECK(lab_now() < end, "RX: received %u of %u in %.0f s (lost frames?)", got, COUNT, LIMIT_S);
		}
		if (k == 0) {
			err = xdpsock_rx_wait(rx, 1);
			CHECK(err >= 0, "rx_wait: %d", err);
			continue;
		}
		for (i = 0; i < k; i++) {
			uint32_t len, wlen = lab_frame_len(got);
			const uint8_t *p = xdpsock_rx_peek_at(rx, (uint32_t)i, &len);

			CHECK(p, "rx_peek_at(%d): %s", i, strerror(errno));
			if (lab_frame_dport(p, len) != DPORT) {
				others++;
				continue;
			}
			lab_udp_frame(l, LAB_A, want, wlen, got, DPORT);
			if (len != wlen || memcmp(p, want, wlen)) {
				uint32_t s = 0;

				failed = 1;
				memcpy(&s, p + 42, 4);
				CHECK(0, "expected frame %u (%u bytes), got seq %u (%u bytes): %s", got, wlen, s, len,
				      s > got ? "lost" : s < got ? "duplicated or reordered" : "corrupted");
			}
			got++;
		}
		err = xdpsock_rx_commit_n(rx, (uint32_t)k);
		CHECK(err == k, "rx_commit_n(%d) = %d", k, err);
		__atomic_store_n(&received, got, __ATOMIC_RELEASE);
		/* The census adds up while the kernel moves frames too (every other batch: it is a syscall). */
		if (!(loops & 1)) {
			const struct xdpsock_census *c = &st.frames;
			uint64_t sum;

			CHECK(xdpsock_rx_stats(rx, &st) == 0, "rx_stats");
			sum = (uint64_t)c->free + c->user + c->fill + c->rx + c->tx + c->comp + c->kernel;
			census_checks++;
			CHECK(c->total == 4096 && sum == 4096,
			      "census under load adds up to %llu: free %u user %u fill %u rx %u kernel %u",
			      (unsigned long long)sum, c->free, c->user, c->fill, c->rx, c->kernel);
		}
	}
	t_end = lab_now();
	/* Nothing after the last one. */
	for (loops = 0; loops < 20; loops++) {
		int k = xdpsock_rx_wait(rx, 5), i;

		CHECK(k >= 0, "rx_wait: %d", k);
		for (i = 0; i < k; i++) {
			uint32_t len;
			const uint8_t *p = xdpsock_rx_peek_at(rx, (uint32_t)i, &len);

			CHECK(p && lab_frame_dport(p, len) != DPORT, "a frame arrived after all %u", COUNT);
			others++;
		}
		if (k)
			xdpsock_rx_commit_n(rx, (uint32_t)k);
	}
	CHECK(xdpsock_rx_stats(rx, &st) == 0, "rx_stats");
	CHECK(st.rx_frames == COUNT + others, "rx_frames %llu", (unsigned long long)st.rx_frames);
	CHECK(st.rx_dropped == 0 && st.rx_bad_descs == 0, "rx dropped %llu, bad %llu",
	      (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_bad_descs);
	CHECK(st.frames.total == 4096 && st.frames.user == 0 && st.frames.rx == 0 && st.frames.kernel == 0 &&
	      st.frames.free + st.frames.fill == 4096,
	      "idle census: free %u fill %u user %u rx %u kernel %u", st.frames.free, st.frames.fill, st.frames.user,
	      st.frames.rx, st.frames.kernel);
	printf("rx: census checked %u times under load\n", census_checks);
	printf("rx: %u frames, %u others, %llu deferred, %llu wakeups, fill-ring-empty %llu\n", got, others,
	       (unsigned long long)st.rx_deferred, (unsigned long long)st.rx_wakeups,
	       (unsigned long long)st.rx_fill_ring_empty_descs);
	xdpsock_rx_destroy(rx);
	return NULL;
}

int main(void)
{
	pthread_t t[2];

	lab_require_root("it_batch");
	lab_log_capture();
	l = lab_up(1);
	pthread_barrier_init(&ready, NULL, 2);
	/* RX first so that no frame reaches vb before its socket exists. */
	CHECK(pthread_create(&t[1], NULL, rx_thread, NULL) == 0, "pthread_create");
	CHECK(pthread_create(&t[0], NULL, tx_thread, NULL) == 0, "pthread_create");
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	pthread_barrier_destroy(&ready);
	CHECK(!lab_xdp_attached(l, LAB_B), "XDP program left on vb");
	printf("PASS it_batch: %u frames in %.2f s, %.0f frames/s (information only)\n", COUNT, t_end - t_start,
	       COUNT / (t_end - t_start));
	return T_PASS;
}
