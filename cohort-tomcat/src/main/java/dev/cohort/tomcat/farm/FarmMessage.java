package dev.cohort.tomcat.farm;

import java.util.List;

/** What farm members say to each other over the farm channel. Encoded by {@link FarmCodec}. */
sealed interface FarmMessage {

  /** Request: does the receiver hold the WAR with this digest? Reply: {@link Result}. */
  record Has(String name, String sha256) implements FarmMessage {}

  /** Request: run this version (the WAR is already staged there). Reply: {@link Result}. */
  record Activate(FarmApp app) implements FarmMessage {}

  /** Request: undeploy; {@code tombstone} carries the removal's version. Reply: {@link Result}. */
  record Remove(FarmApp tombstone) implements FarmMessage {}

  /** Request: the catalogue. Reply: {@link Catalogue}. */
  record GetCatalogue() implements FarmMessage {}

  /** Request: stream this WAR to me (the reply comes before the stream). Reply: {@link Result}. */
  record Pull(FarmApp app) implements FarmMessage {}

  /** Request: what runs on the receiver. Reply: {@link Report}. */
  record GetReport() implements FarmMessage {}

  /** Reply: done or not, and why. */
  record Result(boolean ok, String detail) implements FarmMessage {}

  /** Reply: every catalogue entry, tombstones included. */
  record Catalogue(List<FarmApp> apps) implements FarmMessage {
    public Catalogue {
      apps = List.copyOf(apps);
    }
  }

  /** Reply: the receiver's node name and what it runs. */
  record Report(String node, boolean ready, List<NodeApp> apps) implements FarmMessage {
    public Report {
      apps = List.copyOf(apps);
    }
  }
}
