package dev.cohort.balancer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Balancer-wide counters (per-backend ones live in {@link BackendState}). Thread-safe. */
final class Stats {
  final AtomicInteger connections = new AtomicInteger();
  final LongAdder connectionsTotal = new LongAdder();
  final LongAdder connectionsRejected = new LongAdder();
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
