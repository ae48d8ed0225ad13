package dev.cohort.core.wire;

import dev.cohort.core.session.SessionRecord;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One operation inside a {@link Frame}. Every message between engines is a frame of operations:
 * replication (owner to holders), the holders' answers (holders to owner), take-over claims and
 * state-transfer requests. The wire tag of each record is mapped in one place, {@link WireCodec}.
 */
public sealed interface Op {

  /** The session this operation is about, or null for operations about no session. */
  String id();

  /**
   * The whole record; the receiver keeps it if it is newer than its own copy.
   *
   * @param owner the route name of the member that owns the session after this operation (the
   *     receiver itself when the sender hands the session over)
   * @param term the owner's ownership term: it grows by one with every change of owner (take-over,
   *     caretaker, hand-over), so a former owner's claim loses to a later one
   */
  record Full(SessionRecord record, String owner, int term) implements Op {
    public Full {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(owner, "owner");
    }

    /** A record at ownership term 0 (a session that never changed owner). */
    public Full(SessionRecord record, String owner) {
      this(record, owner, 0);
    }

    @Override
    public String id() {
      return record.id();
    }
  }

  /**
   * The changes of one unit of work, to be applied on top of {@code baseVersion} exactly; the
   * result has version {@code baseVersion + 1}. Metadata fields are present only when changed.
   *
   * @param maxInactiveSeconds new value, or null when unchanged
   * @param isNew new value, or null when unchanged
   * @param authType the new auth type when {@code authChanged}
   * @param principal the new principal when {@code principalChanged}
   * @param notes the full new set of notes, or null when unchanged
   * @param term the sender's ownership term (see {@link Full}): a holder refuses a delta from an
   *     owner older than the one it follows
   */
  record Delta(
      String id,
      long baseVersion,
      long lastAccessedTime,
      Integer maxInactiveSeconds,
      Boolean isNew,
      boolean authChanged,
      String authType,
      boolean principalChanged,
      byte[] principal,
      Map<String, byte[]> notes,
      List<AttributeChange> changes,
      int term)
      implements Op {
    public Delta {
      Objects.requireNonNull(id, "id");
      notes = notes == null ? null : Map.copyOf(notes);
      changes = List.copyOf(changes);
    }

    /** This delta as sent by an owner in {@code ownerTerm}. */
    public Delta withTerm(int ownerTerm) {
      return ownerTerm == term
          ? this
          : new Delta(
              id,
              baseVersion,
              lastAccessedTime,
              maxInactiveSeconds,
              isNew,
              authChanged,
              authType,
              principalChanged,
              principal,
              notes,
              changes,
              ownerTerm);
    }

    @Override
    public String toString() {
      return "Delta[v" + baseVersion + "+1, " + changes.size() + " changes]";
    }
  }

  /** The owner's last access time (read-only requests), for the record at {@code version}. */
  record Touch(String id, long version, long lastAccessedTime) implements Op {}

  /**
   * The session is gone (invalidated or expired); forget it if the local copy is not newer than
   * {@code version} ({@code -1}: whatever the version).
   */
  record Remove(String id, long version, boolean expired) implements Op {}

  /** The session is now owned by {@code owner} at {@code version}, in ownership {@code term}. */
  record OwnerChanged(String id, String owner, long version, int term) implements Op {
    /** At ownership term 0. */
    public OwnerChanged(String id, String owner, long version) {
      this(id, owner, version, 0);
    }
  }

  /** The receiver is no longer a holder of the session: forget it quietly. */
  record Drop(String id, long version) implements Op {}

  /** A holder's answer: its copy is missing or behind, send the whole record. */
  record NeedFull(String id) implements Op {}

  /**
   * The sender takes ownership. Answered with a {@link Full} when the receiver has a copy.
   *
   * @param newHolders the route names that keep a replica once the sender owns the session
   */
  record Claim(String id, List<String> newHolders) implements Op {
    public Claim {
      newHolders = List.copyOf(newHolders);
    }
  }

  /** A joining member asks for every session the receiver owns (mode all), by bulk stream. */
  record StateRequest() implements Op {
    @Override
    public String id() {
      return null;
    }
  }

  /** How many sessions a state-transfer stream will carry. */
  record Expect(long count) implements Op {
    @Override
    public String id() {
      return null;
    }
  }
}
