package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.DroppedFrames;
import java.util.ArrayList;
import java.util.List;

/**
 * The channel contract over real JGroups stacks with a secret: every frame sealed, joins by
 * challenge-response, members starting with different salts. Nothing an honest member sends may be
 * dropped as forged, replayed or stale.
 */
class SecuredJGroupsChannelIT extends JGroupsChannelIT {
  private final List<JGroupsChannel> created = new ArrayList<>();

  @Override
  protected ClusterChannel newChannel(String name) {
    JGroupsChannel ch =
        new JGroupsChannel(nextConfig(name).withSecret("contract-test-secret-0123"));
    created.add(ch);
    return ch;
  }

  @Override
  protected void afterClusterClosed() {
    for (JGroupsChannel ch : created) {
      DroppedFrames d = ch.droppedFrames();
      assertThat(d.unauthenticated() + d.stale())
          .as("frames of honest members dropped by %s: %s", ch.config().nodeName(), d)
          .isZero();
    }
    super.afterClusterClosed();
  }
}
