package dev.cohort.jgroups;

import dev.cohort.core.channel.ChannelException;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The requests a channel is waiting on: correlation ids, one timer per request on a single timer
 * thread, replies and failures from the network, departures from view changes. Thread-safe.
 */
final class Requests {
  private final Map<Long, PendingRequest> pending = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();
  private final ScheduledExecutorService timer;
  private final Supplier<View> view;

  Requests(String threadName, Supplier<View> view) {
    this.view = view;
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread th = new Thread(r, threadName);
              th.setDaemon(true);
              return th;
            });
    // a request's timeout is cancelled when its replies arrive: drop it from the queue at once
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
  }

  long nextId() {
    return nextId.incrementAndGet();
  }

  /**
   * Registers request {@code id}; its timer starts now. Register before looking up the targets'
   * addresses, so that a view change racing with the lookup still marks them departed.
   */
  PendingRequest open(long id, Set<Member> targets, Duration timeout) {
    PendingRequest p = new PendingRequest(targets, timeout);
    pending.put(id, p);
    p.future.whenComplete((r, e) -> pending.remove(id));
    try {
      ScheduledFuture<?> t =
          timer.schedule(() -> p.timeOut(view.get()), timeout.toNanos(), TimeUnit.NANOSECONDS);
      p.future.whenComplete((r, e) -> t.cancel(false));
    } catch (RejectedExecutionException e) {
      p.future.completeExceptionally(new ChannelException("request failed: the channel is closed"));
    }
    return p;
  }

  void answered(long id, Member from, byte[] reply) {
    PendingRequest p = pending.get(id);
    if (p != null) {
      p.answered(from, reply);
    }
  }

  void failed(long id, Member from, String error) {
    PendingRequest p = pending.get(id);
    if (p != null) {
      p.failed(from, error);
    }
  }

  /** Marks every target that is not in {@code next} as departed. */
  void viewChanged(View next) {
    for (PendingRequest p : pending.values()) {
      for (Member t : p.targets) {
        if (!next.contains(t)) {
          p.departed(t);
        }
      }
    }
  }

  /** Fails every pending request with {@code why} and stops the timer. */
  void close(String why) {
    ChannelException e = new ChannelException(why);
    pending.values().forEach(p -> p.future.completeExceptionally(e));
    timer.shutdownNow();
  }
}
