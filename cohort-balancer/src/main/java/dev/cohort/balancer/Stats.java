package dev.cohort.balancer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Balancer-wide counters (per-backend ones live in {@link BackendState}). Thread-safe. */
final class Stats {
  final AtomicInteger connections = new AtomicInteger();
  final LongAdder connectionsTotal = new LongAdder();
  final LongAdder connectionsRejected = new LongAdder();

  /** Connections closed at accept because their address had max-connections-per-ip open. */
  final LongAdder connectionsRejectedPerIp = new LongAdder();

  /** Connections answered 408 because a request head did not arrive within header-timeout. */
  final LongAdder headerTimeouts = new LongAdder();

  /** Connections answered 408 (or closed) because a request body stalled for body-timeout. */
  final LongAdder bodyTimeouts = new LongAdder();

  /** Connections closed without a request byte for keep-alive-timeout (or header-timeout). */
  final LongAdder idleClosed = new LongAdder();

  /** Requests for the nodes' admin paths ({@code /cohort/*} except health), answered 404. */
  final LongAdder adminPathsRefused = new LongAdder();

  final LongAdder requests = new LongAdder();
  final LongAdder retries = new LongAdder();

  /** Requests answered 502 (no backend could take or finish them before the response). */
  final LongAdder badGateway = new LongAdder();

  /** Requests answered 503 (no backend up). */
  final LongAdder noBackend = new LongAdder();

  /** Requests answered 504 (the backend did not answer in time). */
  final LongAdder timeouts = new LongAdder();

  /** Requests refused as malformed or too large (400, 414, 431). */
  final LongAdder badRequests = new LongAdder();

  /** Responses cut short because the backend failed after its first byte. */
  final LongAdder truncated = new LongAdder();

  final LongAdder upgrades = new LongAdder();
  final LongAdder adminRequests = new LongAdder();

  long failures() {
    return badGateway.sum() + noBackend.sum() + timeouts.sum() + truncated.sum();
  }
}
