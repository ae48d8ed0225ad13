package dev.cohort.tomcat;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.session.SessionUpdate;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/** An engine whose commits are acknowledged only when the test opens the gate. */
final class GatedEngine extends ForwardingEngine {
  private final CompletableFuture<Void> gate;

  GatedEngine(SessionEngine delegate, CompletableFuture<Void> gate) {
    super(delegate);
    this.gate = gate;
  }

  @Override
  public CompletableFuture<Void> commit(SessionUpdate update) {
    return super.commit(update).thenCompose(v -> gate);
  }

  @Override
  public CompletableFuture<Void> commit(SessionUpdate update, LongConsumer committed) {
    return super.commit(update, committed).thenCompose(v -> gate);
  }
}
