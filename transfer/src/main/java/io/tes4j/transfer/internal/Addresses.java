package io.tes4j.transfer.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * IP addresses for the transfer policy: which ones are not public destinations (loopback,
 * link-local, private...), and what a host written as an address in a URL means, in every
 * spelling that some resolver reads as an address. Never asks DNS. Internal.
 */
public final class Addresses {
  /** What an IPv6 literal can hold: hex digits, colons, an IPv4 tail, and a zone after {@code %}. */
  private static final Pattern IPV6_TEXT = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");

  private Addresses() {}

  /** A range of addresses and what it is, for messages. */
  private record Range(byte[] prefix, int bits, String kind) {
    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != prefix[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (prefix[whole] & mask);
    }
  }

  /**
   * IPv4 ranges that are not public destinations (IANA's special-purpose registry, RFC 6890), the
   * most specific first.
   */
  private static final List<Range> IPV4 = List.of(
      v4("0.0.0.0", 8, "unspecified ('this network': 0.0.0.0 reaches this machine)"),
      v4("10.0.0.0", 8, "private (RFC 1918)"),
      v4("100.64.0.0", 10, "shared (carrier-grade NAT, RFC 6598; some clouds serve metadata there)"),
      v4("127.0.0.0", 8, "loopback"),
      v4("169.254.0.0", 16, "link-local (where clouds serve instance metadata and credentials)"),
      v4("172.16.0.0", 12, "private (RFC 1918)"),
      v4("192.0.0.0", 24, "reserved (IETF protocol assignments)"),
      v4("192.0.2.0", 24, "reserved (documentation)"),
      v4("192.168.0.0", 16, "private (RFC 1918)"),
      v4("198.18.0.0", 15, "reserved (benchmarking)"),
      v4("198.51.100.0", 24, "reserved (documentation)"),
      v4("203.0.113.0", 24, "reserved (documentation)"),
      v4("224.0.0.0", 4, "multicast"),
      v4("240.0.0.0", 4, "reserved (or broadcast)"));

  /** IPv6 ranges that are not public destinations; those that embed IPv4 are handled apart. */
  private static final List<Range> IPV6 = List.of(
      v6("::", 128, "unspecified"),
      v6("::1", 128, "loopback"),
      v6("64:ff9b:1::", 48, "private (local-use NAT64, RFC 8215)"),
      v6("100::", 64, "reserved (discard-only)"),
      v6("2001::", 32, "reserved (Teredo)"),
      v6("2001:db8::", 32, "reserved (documentation)"),
      v6("fc00::", 7, "unique-local (private IPv6)"),
      v6("fe80::", 10, "link-local"),
      v6("fec0::", 10, "site-local (private IPv6)"),
      v6("ff00::", 8, "multicast"));

  private static Range v4(String address, int bits, String kind) {
    return new Range(literalBytes(address), bits, kind);
  }

  private static Range v6(String address, int bits, String kind) {
    return new Range(literalBytes(address), bits, kind);
  }

  private static byte[] literalBytes(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalStateException("not an address literal: " + literal, e);
    }
  }

  /**
   * What kind of non-public destination {@code address} is ({@code loopback}, {@code link-local},
   * {@code private}...), or empty for a public address. IPv6 addresses that embed an IPv4 address
   * (IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible {@code ::a.b.c.d}, NAT64 {@code
   * 64:ff9b::/96}, 6to4 {@code 2002::/16}) are what their IPv4 address is.
   */
  public static Optional<String> nonPublic(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      return kind(IPV4, bytes);
    }
    Optional<byte[]> embedded = embeddedIpv4(bytes);
    if (embedded.isPresent()) {
      Optional<String> inner = kind(IPV4, embedded.get());
      String v4 = format(embedded.get());
      return inner.map(kind -> "an IPv6 form of " + v4 + ", which is " + kind);
    }
    return kind(IPV6, bytes);
  }

  private static Optional<String> kind(List<Range> ranges, byte[] bytes) {
    for (Range range : ranges) {
      if (range.contains(bytes)) {
        return Optional.of(range.kind());
      }
    }
    return Optional.empty();
  }

  /** The IPv4 address inside an IPv6 address of one of the forms that carry one, if any. */
  private static Optional<byte[]> embeddedIpv4(byte[] v6) {
    boolean zeros80 = allZero(v6, 0, 10);
    if (zeros80 && (v6[10] & 0xff) == 0xff && (v6[11] & 0xff) == 0xff) {
      return Optional.of(slice(v6, 12)); // ::ffff:a.b.c.d, IPv4-mapped
    }
    if (zeros80 && v6[10] == 0 && v6[11] == 0 && !allZero(v6, 12, 15)) {
      return Optional.of(slice(v6, 12)); // ::a.b.c.d, IPv4-compatible (not :: or ::1)
    }
    if ((v6[0] & 0xff) == 0x00 && (v6[1] & 0xff) == 0x64 && (v6[2] & 0xff) == 0xff && (v6[3] & 0xff) == 0x9b
        && allZero(v6, 4, 12)) {
      return Optional.of(slice(v6, 12)); // 64:ff9b::a.b.c.d, NAT64
    }
    if ((v6[0] & 0xff) == 0x20 && (v6[1] & 0xff) == 0x02) {
      return Optional.of(new byte[] {v6[2], v6[3], v6[4], v6[5]}); // 2002:AABB:CCDD::, 6to4
    }
    return Optional.empty();
  }

  private static boolean allZero(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] slice(byte[] v6, int from) {
    return new byte[] {v6[from], v6[from + 1], v6[from + 2], v6[from + 3]};
  }

  private static String format(byte[] v4) {
    return (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + "." + (v4[3] & 0xff);
  }

  /**
   * The addresses that {@code host}, as written in a URL, may stand for without any name lookup:
   * an IPv6 literal (with or without brackets, with a zone), or an IPv4 address in any spelling
   * that the JDK or the C library's {@code inet_aton} accepts ({@code 127.0.0.1}, {@code
   * 2130706433}, {@code 127.1}, {@code 0x7f.1}, {@code 0177.0.0.1}); several when the two read it
   * differently (the JDK reads {@code 0177} as decimal, {@code inet_aton} as octal). Empty for a
   * name, which only a lookup turns into addresses.
   */
  public static List<InetAddress> literal(String host) {
    if (host == null || host.isEmpty()) {
      return List.of();
    }
    String text = host;
    if (text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1);
    }
    if (text.indexOf(':') >= 0) {
      if (!IPV6_TEXT.matcher(text).matches()) {
        return List.of(); // not an IPv6 literal; the JDK might look such a text up as a name
      }
      // Hex digits and colons first: the JDK parses an IPv6 literal and never asks DNS.
      try {
        return List.of(InetAddress.getByName(text));
      } catch (UnknownHostException | IllegalArgumentException e) {
        return List.of();
      }
    }
    Set<Long> values = new LinkedHashSet<>();
    ipv4(text, false).ifPresent(values::add); // the JDK: decimal parts only
    ipv4(text, true).ifPresent(values::add); // inet_aton: 0x hexadecimal, 0 octal
    List<InetAddress> addresses = new ArrayList<>();
    for (long value : values) {
      byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
      try {
        addresses.add(InetAddress.getByAddress(bytes));
      } catch (UnknownHostException e) {
        throw new IllegalStateException("four bytes are always an IPv4 address", e);
      }
    }
    return addresses;
  }

  /**
   * An IPv4 address written as 1 to 4 numbers separated by dots, the last filling the remaining
   * bytes ({@code a}, {@code a.b}, {@code a.b.c}, {@code a.b.c.d}); with {@code radixPrefixes},
   * {@code 0x} marks hexadecimal and a leading {@code 0} octal, as {@code inet_aton} reads them.
   */
  private static Optional<Long> ipv4(String text, boolean radixPrefixes) {
    String[] parts = text.split("\\.", -1);
    if (parts.length < 1 || parts.length > 4) {
      return Optional.empty();
    }
    long[] numbers = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Optional<Long> number = number(parts[i].toLowerCase(Locale.ROOT), radixPrefixes);
      if (number.isEmpty()) {
        return Optional.empty();
      }
      numbers[i] = number.get();
    }
    long value = 0;
    for (int i = 0; i < numbers.length - 1; i++) {
      if (numbers[i] > 0xff) {
        return Optional.empty();
      }
      value = (value << 8) | numbers[i];
    }
    int lastBytes = 4 - (numbers.length - 1);
    long last = numbers[numbers.length - 1];
    if (last >= (1L << (8 * lastBytes))) {
      return Optional.empty();
    }
    return Optional.of((value << (8 * lastBytes)) | last);
  }

  private static Optional<Long> number(String part, boolean radixPrefixes) {
    int radix = 10;
    String digits = part;
    if (radixPrefixes && (part.startsWith("0x"))) {
      radix = 16;
      digits = part.substring(2);
      if (digits.isEmpty()) {
        return Optional.of(0L); // inet_aton reads a bare 0x as 0
      }
    } else if (radixPrefixes && part.length() > 1 && part.startsWith("0")) {
      radix = 8;
      digits = part.substring(1);
    }
    if (digits.isEmpty() || digits.length() > 12) {
      return Optional.empty();
    }
    for (int i = 0; i < digits.length(); i++) {
      if (Character.digit(digits.charAt(i), radix) < 0) {
        return Optional.empty();
      }
    }
    return Optional.of(Long.parseLong(digits, radix));
  }

  /** {@code address} as text: dotted decimal, or IPv6 in its compressed form in brackets. */
  public static String describe(InetAddress address) {
    if (address instanceof Inet4Address) {
      return address.getHostAddress();
    }
    if (address instanceof Inet6Address v6) {
      String text = compress(v6.getAddress());
      return "[" + text + (v6.getScopeId() != 0 ? "%" + v6.getScopeId() : "") + "]";
    }
    return address.getHostAddress();
  }

  /** RFC 5952 text of an IPv6 address: lower case, the longest run of zero groups as {@code ::}. */
  private static String compress(byte[] bytes) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // a single zero group is not compressed
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLength - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }
}
