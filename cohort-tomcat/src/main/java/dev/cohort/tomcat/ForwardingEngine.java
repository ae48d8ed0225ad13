package dev.cohort.tomcat;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import dev.cohort.core.engine.EngineStats;
import dev.cohort.core.engine.Placement;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/** A {@link SessionEngine} that forwards every call; decorators override what they add. */
abstract class ForwardingEngine implements SessionEngine {
  private final SessionEngine delegate;

  ForwardingEngine(SessionEngine delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public void start() {
    delegate.start();
  }

  @Override
  public boolean isReady() {
    return delegate.isReady();
  }

  @Override
  public Member localMember() {
    return delegate.localMember();
  }

  @Override
  public View view() {
    return delegate.view();
  }

  @Override
  public boolean owns(String id) {
    return delegate.owns(id);
  }

  @Override
  public Optional<SessionRecord> acquire(String id) {
    return delegate.acquire(id);
  }

  @Override
  public Optional<SessionRecord> acquire(String id, String route) {
    return delegate.acquire(id, route);
  }

  @Override
  public CompletableFuture<Void> commit(SessionUpdate update) {
    return delegate.commit(update);
  }

  @Override
  public CompletableFuture<Void> commit(SessionUpdate update, LongConsumer committed) {
    return delegate.commit(update, committed);
  }

  @Override
  public CompletableFuture<Void> invalidate(String id) {
    return delegate.invalidate(id);
  }

  @Override
  public CompletableFuture<Void> changeId(String oldId, String newId) {
    return delegate.changeId(oldId, newId);
  }

  @Override
  public Placement placement(String id) {
    return delegate.placement(id);
  }

  @Override
  public void expireIdle() {
    delegate.expireIdle();
  }

  @Override
  public boolean release(String id) {
    return delegate.release(id);
  }

  @Override
  public CompletableFuture<Void> stored(String id) {
    return delegate.stored(id);
  }

  @Override
  public EngineStats stats() {
    return delegate.stats();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public boolean isClosing() {
    return delegate.isClosing();
  }
}
