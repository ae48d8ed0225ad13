package dev.cohort.testkit;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks one at a time in submission order: the FIFO path from one sender to one receiver, or
 * the event path of one receiver.
 *
 * <p>In synchronous mode the submitting thread drains the lane itself, unless another thread (or an
 * outer call on the same thread) is already draining it, in which case that drainer runs the task:
 * re-entrant sends are queued, never recursed into. A task may carry a due time (a scripted delay);
 * the lane then waits for it without holding a thread, keeping later tasks behind it.
 */
final class Lane {
  private record Task(Runnable body, long dueNanos) {}

  private final ArrayDeque<Task> queue = new ArrayDeque<>();
  private final Executor executor;
  private final ScheduledExecutorService scheduler;
  private final boolean synchronous;
  private final Runnable onFailure;
  private boolean draining;

  /**
   * @param executor runs the drain loop in asynchronous mode
   * @param scheduler wakes the lane for delayed tasks
   * @param synchronous drain on the submitting thread
   * @param onFailure called when a task throws (the lane goes on with the next task)
   */
  Lane(
      Executor executor,
      ScheduledExecutorService scheduler,
      boolean synchronous,
      Runnable onFailure) {
    this.executor = executor;
    this.scheduler = scheduler;
    this.synchronous = synchronous;
    this.onFailure = onFailure;
  }

  void submit(Runnable task) {
    submit(task, 0);
  }

  void submit(Runnable task, long delayNanos) {
    if (offer(task, delayNanos)) {
      start();
    }
  }

  /**
   * Queues a task without running it; returns true if the caller must then call {@link #start()}
   * (used to queue under a lock and run after releasing it).
   */
  boolean offer(Runnable task, long delayNanos) {
    synchronized (this) {
      queue.add(new Task(task, delayNanos > 0 ? System.nanoTime() + delayNanos : 0));
      boolean start = !draining;
      draining = true;
      return start;
    }
  }

  /** Drains the queue: on this thread in synchronous mode, else on the executor. */
  void start() {
    if (synchronous) {
      drain();
    } else {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        // the network is shut down: nothing is delivered any more
      }
    }
  }

  private void resume() {
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // the network is shut down: nothing is delivered any more
    }
  }

  private void drain() {
    while (true) {
      Task next;
      synchronized (this) {
        next = queue.peek();
        if (next == null) {
          draining = false;
          return;
        }
        long wait = next.dueNanos == 0 ? 0 : next.dueNanos - System.nanoTime();
        if (wait > 0) {
          // keep draining=true so nobody else starts; the scheduler resumes us
          try {
            scheduler.schedule(this::resume, wait, TimeUnit.NANOSECONDS);
          } catch (RejectedExecutionException e) {
            // the network is shut down: nothing is delivered any more
          }
          return;
        }
        queue.poll();
      }
      try {
        next.body.run();
      } catch (RuntimeException e) {
        onFailure.run();
      }
    }
  }
}
