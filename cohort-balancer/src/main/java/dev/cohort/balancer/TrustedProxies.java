package dev.cohort.balancer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code trusted-proxy} list: addresses and CIDR blocks (IPv4 or IPv6) of the proxies in front
 * of the balancer whose {@code X-Forwarded-*} headers are believed and which the per-address
 * connection cap leaves alone. Literal addresses only: a host name is refused (no DNS look-up, so
 * nothing to spoof). Immutable; thread-safe.
 */
final class TrustedProxies {
  static final TrustedProxies NONE = new TrustedProxies(List.of());

  private record Block(byte[] network, int bits) {
    boolean contains(byte[] a) {
      if (a.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (a[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> blocks;

  private TrustedProxies(List<Block> blocks) {
    this.blocks = blocks;
  }

  /**
   * Parses the option's values.
   *
   * @throws IllegalArgumentException starting with {@code "trusted-proxy: "} for a value that is
   *     not an IP address or CIDR block
   */
  static TrustedProxies parse(List<String> values) {
    if (values.isEmpty()) {
      return NONE;
    }
    List<Block> list = new ArrayList<>(values.size());
    for (String v : values) {
      list.add(block(v));
    }
    return new TrustedProxies(List.copyOf(list));
  }

  private static Block block(String value) {
    String v = value == null ? "" : value.trim();
    int slash = v.indexOf('/');
    String addr = slash < 0 ? v : v.substring(0, slash);
    byte[] bytes = literal(addr);
    if (bytes == null) {
      throw bad(value);
    }
    int bits = bytes.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(v.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw bad(value);
      }
      if (bits < 0 || bits > bytes.length * 8) {
        throw bad(value);
      }
    }
    return new Block(bytes, bits);
  }

  /** The bytes of an IPv4 or IPv6 literal, or null when it is not one (never a DNS look-up). */
  private static byte[] literal(String s) {
    if (s.isEmpty()) {
      return null;
    }
    boolean v6 = s.indexOf(':') >= 0;
    boolean v4 = !v6 && s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    if (v4 && s.chars().filter(c -> c == '.').count() != 3) {
      return null;
    }
    if (!v4
        && !(v6 && s.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0))) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getAddress(); // a literal: parsed, not looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static IllegalArgumentException bad(String value) {
    return new IllegalArgumentException(
        "trusted-proxy: '"
            + value
            + "' is not an IP address or CIDR block — use e.g. 10.0.0.0/8, 192.0.2.7 or"
            + " 2001:db8::/32");
  }

  /** Whether the peer's address is in one of the blocks. */
  boolean contains(SocketAddress peer) {
    if (blocks.isEmpty() || !(peer instanceof InetSocketAddress isa)) {
      return false;
    }
    InetAddress a = isa.getAddress();
    return a != null && contains(a);
  }

  boolean contains(InetAddress a) {
    byte[] bytes = a.getAddress();
    for (Block b : blocks) {
      if (b.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  boolean isEmpty() {
    return blocks.isEmpty();
  }
}
