package dev.cohort.jgroups;

import static org.awaitility.Awaitility.await;

import dev.cohort.core.channel.MembershipEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Started JGroupsChannels of one test, with their recorded events; closes them all. */
final class Members implements AutoCloseable {
  final String cluster;
  final List<Integer> ports;
  private final List<JGroupsChannel> started = new ArrayList<>();
  private final List<List<MembershipEvent>> events = new ArrayList<>();

  Members(String prefix, int maxMembers) {
    this.cluster = TestClusters.uniqueName(prefix);
    this.ports = TestClusters.freePorts(maxMembers);
  }

  /** Connects member {@code index} (0-based) named n{index+1} with the static test config. */
  JGroupsChannel start(int index) {
    return start(TestClusters.staticConfig(cluster, "n" + (index + 1), ports.get(index), ports));
  }

  JGroupsChannel start(JGroupsConfig config) {
    return start(config, ch -> {});
  }

  /** Starts a member, running {@code beforeConnect} (e.g. inserting a test protocol) first. */
  JGroupsChannel start(JGroupsConfig config, Consumer<JGroupsChannel> beforeConnect) {
    JGroupsChannel ch = new JGroupsChannel(config);
    List<MembershipEvent> ev = new CopyOnWriteArrayList<>();
    ch.addMembershipListener(ev::add);
    ch.setRequestHandler((from, payload) -> payload);
    ch.setMessageHandler((from, payload) -> {});
    ch.setBulkHandler((from, topic, id, seq, chunk, last) -> {});
    synchronized (this) {
      started.add(ch);
      events.add(ev);
    }
    beforeConnect.accept(ch);
    ch.connect();
    return ch;
  }

  synchronized List<MembershipEvent> eventsOf(JGroupsChannel ch) {
    return events.get(started.indexOf(ch));
  }

  static void awaitViewSize(Duration atMost, int size, JGroupsChannel... chs) {
    await()
        .atMost(atMost)
        .until(
            () -> {
              for (JGroupsChannel c : chs) {
                if (c.view().size() != size) {
                  return false;
                }
              }
              return true;
            });
  }

  @Override
  public void close() {
    List<JGroupsChannel> all;
    synchronized (this) {
      all = List.copyOf(started);
    }
    for (JGroupsChannel c : all) {
      c.close();
    }
  }
}
