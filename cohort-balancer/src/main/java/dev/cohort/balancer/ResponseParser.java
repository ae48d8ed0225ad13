package dev.cohort.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Reads the HTTP/1.x responses of one backend connection without building header objects: it parses
 * the status line and only the headers that decide framing and hop-by-hop handling ({@code
 * Content-Length}, {@code Transfer-Encoding}, {@code Connection} and the fixed hop-by-hop names),
 * and hands on the original bytes — the head as a slice (or, when it must change for the client, a
 * copy without the hop-by-hop lines: {@link #forClient}) and the body as retained slices of what
 * the socket read, chunk framing included, unless {@link #dechunk()} asks for the data only.
 *
 * <p>One instance per backend connection, reused across responses; not thread-safe (the
 * connection's event loop only). Every buffer given to {@link #feed} is released by it; every body
 * piece given to the {@link Sink} is the sink's to release or write.
 */
final class ResponseParser {
  /** Where the parsed parts go. Called from {@link #feed} and {@link #end}. */
  interface Sink {
    /**
     * A response head. Valid only during the call: the accessors of {@code head} read the buffer.
     * The sink may call {@link #dechunk()} or {@link #stop()}. An interim 1xx head (not 101) is
     * followed by the next head; a 101 by {@link #onRelay}; any other by {@link #onBody} pieces,
     * the last of them with {@code last} set (an empty one for a response without body).
     */
    void onHead(ResponseParser head);

    /** A piece of the body (the sink owns it); {@code last} marks the end of the response. */
    void onBody(ByteBuf piece, boolean last);

    /** Bytes after a 101 response: no longer HTTP (the sink owns them). */
    void onRelay(ByteBuf bytes);

    /** The backend's bytes are not a valid response; the parser ignores all further input. */
    void onMalformed(String why);
  }

  private enum State {
    HEAD,
    FIXED,
    CHUNK_LINE,
    CHUNK_DATA,
    CHUNK_DATA_END,
    TRAILERS,
    UNTIL_CLOSE,
    RELAY,
    DEAD
  }

  /** Longest chunk-size line (with extensions) accepted. */
  static final int MAX_CHUNK_LINE = 4096;

  // header classes
  private static final int KEEP = 0;
  private static final int HOP = 1;
  private static final int LENGTH = 2;
  private static final int ENCODING = 3;
  private static final int CONNECTION = 4;

  private static final int FIELDS = 6; // per header in #headers
  private static final int F_LINE = 0; // first byte of the line
  private static final int F_NAME_END = 1; // end of the name (the colon)
  private static final int F_VALUE = 2; // first byte of the trimmed value
  private static final int F_VALUE_END = 3; // end of the trimmed value
  private static final int F_NEXT = 4; // first byte of the next line
  private static final int F_CLASS = 5;

  private static final byte[] HTTP_1_0 = ascii("HTTP/1.0");
  private static final byte[] HTTP_1_1 = ascii("HTTP/1.1");
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] TE_CHUNKED = ascii("transfer-encoding: chunked\r\n");
  private static final byte[] CONNECTION_CLOSE = ascii("connection: close\r\n");
  private static final byte[] CONNECTION_KEEP_ALIVE = ascii("connection: keep-alive\r\n");

  private static final byte[][] HOP_NAMES = {
    ascii("keep-alive"),
    ascii("proxy-authenticate"),
    ascii("proxy-authorization"),
    ascii("proxy-connection"),
    ascii("te"),
    ascii("trailer"),
    ascii("upgrade")
  };

  private final int maxHead;
  private final Sink sink;
  private final ByteBufAllocator alloc;
  private State state = State.HEAD;
  private ByteBuf cumulation;
  private boolean headRequest;
  private boolean dechunk;

  // the current head (valid while the sink looks at it)
  private ByteBuf head;
  private int headStart;
  private int headEnd;
  private int versionEnd;
  private byte[] bytes = new byte[1024]; // a copy of the head
  private int[] headers = new int[FIELDS * 16];
  private boolean bodyTaken;
  private int headerCount;
  private int code;
  private boolean http11;
  private boolean keepAlive;
  private long contentLength;
  private boolean chunked;
  private boolean transferEncoding;
  private boolean chunkedOnly;
  private boolean bareLineFeed;
  private boolean connectionNames;
  private boolean bodyless;

  // body framing
  private long remaining;
  private long chunkSize;
  private boolean chunkDigits;
  private boolean chunkExtension;
  private boolean chunkSpace;
  private int lineLength;
  private int trailerBytes;

  ResponseParser(int maxHead, ByteBufAllocator alloc, Sink sink) {
    this.maxHead = maxHead;
    this.alloc = alloc;
    this.sink = sink;
  }

  /** The next response answers a HEAD request (no body, whatever its headers say). */
  void expect(boolean headRequest) {
    this.headRequest = headRequest;
  }

  /** During {@link Sink#onHead}: hand on only the data of a chunked body, not its framing. */
  void dechunk() {
    dechunk = true;
  }

  /** Ignores all further input (the connection is being closed). */
  void stop() {
    state = State.DEAD;
  }

  /** Whether the parser waits for a response head (none is under way). */
  boolean idle() {
    return state == State.HEAD && cumulation == null;
  }

  /** Parses what the socket read; releases {@code in}. */
  void feed(ByteBuf in) {
    if (cumulation != null) {
      ByteBuf merged = alloc.buffer(cumulation.readableBytes() + in.readableBytes());
      merged.writeBytes(cumulation).writeBytes(in);
      cumulation.release();
      cumulation = null;
      in.release();
      in = merged;
    }
    try {
      process(in);
      if (state == State.HEAD && in.isReadable()) {
        cumulation = alloc.buffer(in.readableBytes());
        cumulation.writeBytes(in);
      }
    } finally {
      in.release();
    }
  }

  /**
   * The connection closed: ends a body that runs to the end of the connection, forgets a partial
   * head. Any other response under way stays unfinished (the sink sees the close itself).
   */
  void end() {
    release();
    if (state == State.UNTIL_CLOSE) {
      state = State.DEAD;
      sink.onBody(Unpooled.EMPTY_BUFFER, true);
    }
    state = State.DEAD;
  }

  /** Releases a partial head. */
  void release() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }

  private void process(ByteBuf in) {
    while (in.isReadable()) {
      switch (state) {
        case HEAD -> {
          if (!readHead(in)) {
            return;
          }
        }
        case FIXED -> {
          int n = (int) Math.min(remaining, in.readableBytes());
          remaining -= n;
          boolean last = remaining == 0;
          if (last) {
            state = State.HEAD;
          }
          sink.onBody(in.readRetainedSlice(n), last);
        }
        case UNTIL_CLOSE -> sink.onBody(in.readRetainedSlice(in.readableBytes()), false);
        case RELAY -> sink.onRelay(in.readRetainedSlice(in.readableBytes()));
        case DEAD -> in.skipBytes(in.readableBytes());
        default -> readChunked(in);
      }
    }
  }

  // ---- head -------------------------------------------------------------------------------

  /** Reads one head if it is complete in {@code in}; false when more bytes are needed. */
  private boolean readHead(ByteBuf in) {
    int start = in.readerIndex();
    int limit = in.writerIndex();
    int end = findHeadEnd(in, start, Math.min(limit, start + maxHead));
    if (end < 0) {
      if (limit - start >= maxHead) {
        fail("the response head exceeds " + maxHead + " bytes (max-header-bytes)");
      }
      return false;
    }
    in.readerIndex(end);
    int length = end - start;
    if (bytes.length < length) {
      bytes = new byte[Math.max(length, bytes.length * 2)];
    }
    in.getBytes(start, bytes, 0, length); // parsed as an array: no bounds or liveness checks
    if (!parseHead(bytes, 0, length)) {
      return true; // failed: DEAD skips the rest
    }
    if (code < 200) {
      state = code == 101 ? State.RELAY : State.HEAD; // 1xx: no body; 101: no longer HTTP
    } else if (bodyless) {
      state = State.HEAD;
    } else if (chunked) {
      state = State.CHUNK_LINE;
      chunkSize = 0;
      chunkDigits = false;
      chunkExtension = false;
      chunkSpace = false;
      lineLength = 0;
    } else if (contentLength >= 0) {
      state = contentLength == 0 ? State.HEAD : State.FIXED;
      remaining = contentLength;
    } else {
      state = State.UNTIL_CLOSE;
    }
    dechunk = false;
    boolean emptyBody = code >= 200 && state == State.HEAD;
    bodyTaken = false;
    head = in;
    headStart = start;
    headEnd = end;
    try {
      sink.onHead(this);
    } finally {
      head = null;
    }
    if (state == State.DEAD) {
      return true;
    }
    if (emptyBody || bodyTaken) {
      sink.onBody(Unpooled.EMPTY_BUFFER, true);
    }
    return true;
  }

  /** Index after the empty line that ends a head starting at {@code from}, or -1. */
  private static int findHeadEnd(ByteBuf b, int from, int to) {
    for (int lineStart = from; ; ) {
      int lf = b.indexOf(lineStart, to, (byte) '\n');
      if (lf < 0) {
        return -1;
      }
      if (lineStart != from
          && (lf == lineStart || (lf == lineStart + 1 && b.getByte(lineStart) == '\r'))) {
        return lf + 1;
      }
      lineStart = lf + 1;
    }
  }

  private boolean parseHead(byte[] b, int start, int end) {
    headerCount = 0;
    contentLength = -1;
    chunked = false;
    transferEncoding = false;
    chunkedOnly = false;
    bareLineFeed = false;
    connectionNames = false;
    boolean close = false;
    boolean keep = false;
    int lineEnd = lineEnd(b, start);
    int next = nextLine(b, start);
    // status line: HTTP/1.x SP 3DIGIT [SP reason]
    if (lineEnd - start < 12
        || !(startsWith(b, start, HTTP_1_1) || startsWith(b, start, HTTP_1_0))
        || b[start + 8] != ' '
        || !digit(b[start + 9])
        || !digit(b[start + 10])
        || !digit(b[start + 11])
        || (lineEnd > start + 12 && b[start + 12] != ' ')) {
      return fail("the backend's status line is not HTTP/1.0 or HTTP/1.1 with a 3-digit code");
    }
    http11 = b[start + 7] == '1';
    versionEnd = start + 8;
    code = (b[start + 9] - '0') * 100 + (b[start + 10] - '0') * 10 + (b[start + 11] - '0');
    if (code < 100) {
      return fail("the backend's status code " + code + " is below 100");
    }
    for (int line = next; ; line = next) {
      lineEnd = lineEnd(b, line);
      next = nextLine(b, line);
      if (lineEnd == line) {
        break; // the empty line
      }
      byte first = b[line];
      if (first == ' ' || first == '\t') {
        return fail("the backend's response uses obsolete header line folding");
      }
      int colon = -1;
      for (int i = line; i < lineEnd; i++) {
        byte c = b[i];
        if (c == ':') {
          colon = i;
          break;
        }
        if (!tokenChar(c)) {
          return fail("a header name in the backend's response has an invalid character");
        }
      }
      if (colon <= line) {
        return fail("a header line in the backend's response has no name and colon");
      }
      int value = colon + 1;
      while (value < lineEnd && isWhite(b[value])) {
        value++;
      }
      int valueEnd = lineEnd;
      while (valueEnd > value && isWhite(b[valueEnd - 1])) {
        valueEnd--;
      }
      int kind = classify(b, line, colon);
      if (kind == LENGTH) {
        long n = parseLength(b, value, valueEnd);
        if (n < 0 || (contentLength >= 0 && n != contentLength)) {
          return fail("the backend's Content-Length is invalid or given twice with two values");
        }
        contentLength = n;
      } else if (kind == ENCODING) {
        transferEncoding = true;
        chunked = endsWithToken(b, value, valueEnd, "chunked");
        chunkedOnly = equalsIgnoreCase(b, value, valueEnd, "chunked");
      } else if (kind == CONNECTION) {
        for (int t = value; t < valueEnd; ) {
          int comma = t;
          while (comma < valueEnd && b[comma] != ',') {
            comma++;
          }
          int ts = t;
          int te = comma;
          while (ts < te && isWhite(b[ts])) {
            ts++;
          }
          while (te > ts && isWhite(b[te - 1])) {
            te--;
          }
          if (equalsIgnoreCase(b, ts, te, "close")) {
            close = true;
          } else if (equalsIgnoreCase(b, ts, te, "keep-alive")) {
            keep = true;
          } else if (te > ts && !equalsIgnoreCase(b, ts, te, "upgrade")) {
            connectionNames = true;
          }
          t = comma + 1;
        }
      }
      if (lineEnd == next - 1) {
        bareLineFeed = true;
      }
      addHeader(line, colon, value, valueEnd, next, kind);
    }
    if (transferEncoding) {
      contentLength = -1; // Transfer-Encoding wins; the length is dropped (RFC 9112 §6.3)
    }
    keepAlive = !close && (http11 || keep) && (!transferEncoding || chunked);
    bodyless = headRequest || code == 204 || code == 304 || code < 200;
    if (lineEnd(b, start) == nextLine(b, start) - 1) {
      bareLineFeed = true;
    }
    if (next != end) {
      return fail("the backend's response head ends unexpectedly");
    }
    return true;
  }

  private void addHeader(int line, int colon, int value, int valueEnd, int next, int kind) {
    int at = headerCount * FIELDS;
    if (at + FIELDS > headers.length) {
      int[] grown = new int[headers.length * 2];
      System.arraycopy(headers, 0, grown, 0, headers.length);
      headers = grown;
    }
    headers[at + F_LINE] = line;
    headers[at + F_NAME_END] = colon;
    headers[at + F_VALUE] = value;
    headers[at + F_VALUE_END] = valueEnd;
    headers[at + F_NEXT] = next;
    headers[at + F_CLASS] = kind;
    headerCount++;
  }

  private static int classify(byte[] b, int name, int nameEnd) {
    int n = nameEnd - name;
    if (n == 14 && equalsIgnoreCase(b, name, nameEnd, "content-length")) {
      return LENGTH;
    }
    if (n == 17 && equalsIgnoreCase(b, name, nameEnd, "transfer-encoding")) {
      return ENCODING;
    }
    if (n == 10 && equalsIgnoreCase(b, name, nameEnd, "connection")) {
      return CONNECTION;
    }
    for (byte[] hop : HOP_NAMES) {
      if (n == hop.length && equalsIgnoreCase(b, name, nameEnd, hop)) {
        return HOP;
      }
    }
    return KEEP;
  }

  // ---- what the sink reads during onHead ----------------------------------------------------

  int code() {
    return code;
  }

  boolean http11() {
    return http11;
  }

  /** Whether the backend keeps the connection open after this response. */
  boolean keepAlive() {
    return keepAlive;
  }

  /** Whether this response has no body (HEAD request, 1xx, 204, 304). */
  boolean bodyless() {
    return bodyless;
  }

  boolean chunked() {
    return chunked;
  }

  /** The Content-Length, or -1 (none, or Transfer-Encoding present). */
  long contentLength() {
    return contentLength;
  }

  /** The head exactly as the backend sent it (a retained slice). */
  ByteBuf raw() {
    return head.retainedSlice(headStart, headEnd - headStart);
  }

  /**
   * The head for the client: the status line with the client's version, the backend's header lines
   * as they came except the hop-by-hop ones ({@code Connection}, the names it lists, {@code
   * Keep-Alive}, {@code Proxy-*}, {@code TE}, {@code Trailer}, {@code Upgrade}, and {@code
   * Transfer-Encoding}/{@code Content-Length} as framing needs), then {@code Transfer-Encoding:
   * chunked} when {@code chunkedOut} and the client's {@code Connection} header. When nothing
   * changes this is a slice of the bytes read, not a copy.
   */
  ByteBuf forClient(boolean http10, boolean clientKeepAlive, boolean chunkedOut) {
    boolean connectionLine = http10 ? clientKeepAlive : !clientKeepAlive;
    boolean keepEncodingLine = chunkedOut && chunkedOnly;
    boolean sameVersion = http10 != http11;
    boolean unchanged = sameVersion && !bareLineFeed && !connectionLine && !connectionNames;
    if (unchanged) {
      for (int h = 0; h < headerCount && unchanged; h++) {
        int kind = headers[h * FIELDS + F_CLASS];
        unchanged =
            kind == KEEP
                || (kind == LENGTH && !transferEncoding)
                || (kind == ENCODING && keepEncodingLine);
      }
      unchanged &= !chunkedOut || keepEncodingLine;
    }
    if (unchanged) {
      if (state == State.FIXED && head.readableBytes() >= remaining) {
        // the whole body follows the head in this read: one slice for both (one buffer to write)
        int n = (int) remaining;
        ByteBuf all = head.retainedSlice(headStart, headEnd - headStart + n);
        head.skipBytes(n);
        remaining = 0;
        state = State.HEAD;
        bodyTaken = true;
        return all;
      }
      return raw();
    }
    ByteBuf out = alloc.buffer(headEnd - headStart + 64);
    out.writeBytes(http10 ? HTTP_1_0 : HTTP_1_1);
    out.writeBytes(bytes, versionEnd, lineEnd(bytes, 0) - versionEnd).writeBytes(CRLF);
    for (int h = 0; h < headerCount; h++) {
      int at = h * FIELDS;
      int kind = headers[at + F_CLASS];
      if (kind == HOP || kind == CONNECTION || kind == ENCODING) {
        continue; // Transfer-Encoding: added below when the client gets chunks
      }
      if (kind == LENGTH && transferEncoding) {
        continue;
      }
      int line = headers[at + F_LINE];
      if (connectionNames && listedInConnection(line, headers[at + F_NAME_END])) {
        continue;
      }
      out.writeBytes(bytes, line, lineEnd(bytes, line) - line).writeBytes(CRLF);
    }
    if (chunkedOut) {
      out.writeBytes(TE_CHUNKED);
    }
    if (connectionLine) {
      out.writeBytes(http10 ? CONNECTION_KEEP_ALIVE : CONNECTION_CLOSE);
    }
    out.writeBytes(CRLF);
    return out;
  }

  /** Whether the header name at {@code [name, nameEnd)} is listed in a Connection header. */
  private boolean listedInConnection(int name, int nameEnd) {
    for (int h = 0; h < headerCount; h++) {
      int at = h * FIELDS;
      if (headers[at + F_CLASS] != CONNECTION) {
        continue;
      }
      int valueEnd = headers[at + F_VALUE_END];
      for (int t = headers[at + F_VALUE]; t < valueEnd; ) {
        int comma = t;
        while (comma < valueEnd && bytes[comma] != ',') {
          comma++;
        }
        int ts = t;
        int te = comma;
        while (ts < te && isWhite(bytes[ts])) {
          ts++;
        }
        while (te > ts && isWhite(bytes[te - 1])) {
          te--;
        }
        if (te - ts == nameEnd - name && regionEqualsIgnoreCase(bytes, ts, name, te - ts)) {
          return true;
        }
        t = comma + 1;
      }
    }
    return false;
  }

  // ---- chunked body -----------------------------------------------------------------------

  private void readChunked(ByteBuf in) {
    int start = in.readerIndex();
    int limit = in.writerIndex();
    int i = start;
    while (i < limit) {
      switch (state) {
        case CHUNK_LINE -> {
          byte c = in.getByte(i++);
          if (++lineLength > MAX_CHUNK_LINE) {
            failChunk(in, "a chunk-size line is longer than " + MAX_CHUNK_LINE);
            return;
          }
          int digit = chunkExtension || chunkSpace ? -1 : hex(c);
          if (c == '\r') {
            continue; // before the LF
          }
          if (digit >= 0) {
            if (chunkSize > (Long.MAX_VALUE >> 5)) {
              failChunk(in, "a chunk size is too large");
              return;
            }
            chunkSize = chunkSize * 16 + digit;
            chunkDigits = true;
          } else if (c == '\n') {
            if (!chunkDigits) {
              failChunk(in, "a chunk-size line has no size");
              return;
            }
            lineLength = 0;
            if (chunkSize == 0) {
              state = State.TRAILERS;
              trailerBytes = 0;
            } else {
              state = State.CHUNK_DATA;
              remaining = chunkSize;
            }
            chunkSize = 0;
            chunkDigits = false;
            chunkExtension = false;
            chunkSpace = false;
          } else if (!chunkDigits) {
            failChunk(in, "a chunk-size line does not start with a hex size");
            return;
          } else if (c == ';') {
            chunkExtension = true; // extensions are skipped
          } else if (c == ' ' || c == '\t') {
            chunkSpace = true; // whitespace may come before the ';'
          } else if (!chunkExtension) {
            failChunk(in, "a chunk-size line has an invalid character");
            return;
          }
        }
        case CHUNK_DATA -> {
          int n = (int) Math.min(remaining, limit - i);
          if (dechunk) {
            sink.onBody(in.retainedSlice(i, n), false);
          }
          i += n;
          remaining -= n;
          if (remaining == 0) {
            state = State.CHUNK_DATA_END;
            lineLength = 0;
          }
        }
        case CHUNK_DATA_END -> {
          byte c = in.getByte(i++);
          if (c == '\r' && lineLength == 0) {
            lineLength = 1;
          } else if (c == '\n') {
            state = State.CHUNK_LINE;
            lineLength = 0;
          } else {
            failChunk(in, "chunk data is not followed by CRLF");
            return;
          }
        }
        case TRAILERS -> {
          byte c = in.getByte(i++);
          if (c == '\n') {
            if (lineLength == 0) {
              state = State.HEAD;
              in.readerIndex(i);
              sink.onBody(
                  dechunk ? Unpooled.EMPTY_BUFFER : in.retainedSlice(start, i - start), true);
              return;
            }
            lineLength = 0;
          } else if (c != '\r') {
            lineLength++;
            if (++trailerBytes > maxHead) {
              failChunk(in, "the trailers exceed " + maxHead + " bytes");
              return;
            }
          }
        }
        default -> {
          in.readerIndex(i);
          return; // stopped by the sink
        }
      }
      if (state == State.DEAD) {
        in.readerIndex(limit);
        return;
      }
    }
    in.readerIndex(limit);
    if (!dechunk && limit > start) {
      sink.onBody(in.retainedSlice(start, limit - start), false);
    }
  }

  private void failChunk(ByteBuf in, String why) {
    in.readerIndex(in.writerIndex());
    fail("the backend's chunked body is malformed: " + why);
  }

  private boolean fail(String why) {
    state = State.DEAD;
    sink.onMalformed(why);
    return false;
  }

  // ---- bytes ------------------------------------------------------------------------------

  /** End of the line's content (before CR LF or LF). */
  private static int lineEnd(byte[] b, int line) {
    int lf = nextLine(b, line) - 1;
    return lf > line && b[lf - 1] == '\r' ? lf - 1 : lf;
  }

  /** Start of the next line (every line of a complete head ends with LF). */
  private static int nextLine(byte[] b, int line) {
    int i = line;
    while (b[i] != '\n') {
      i++;
    }
    return i + 1;
  }

  private static long parseLength(byte[] b, int from, int to) {
    if (from == to || to - from > 18) {
      return -1;
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (!digit(c)) {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static boolean endsWithToken(byte[] b, int from, int to, String token) {
    int start = to;
    while (start > from && b[start - 1] != ',') {
      start--;
    }
    while (start < to && isWhite(b[start])) {
      start++;
    }
    return equalsIgnoreCase(b, start, to, token);
  }

  private static boolean equalsIgnoreCase(byte[] b, int from, int to, String s) {
    if (to - from != s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (lower(b[from + i]) != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean equalsIgnoreCase(byte[] b, int from, int to, byte[] lowerCase) {
    if (to - from != lowerCase.length) {
      return false;
    }
    for (int i = 0; i < lowerCase.length; i++) {
      if (lower(b[from + i]) != lowerCase[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean regionEqualsIgnoreCase(byte[] b, int a, int c, int n) {
    for (int i = 0; i < n; i++) {
      if (lower(b[a + i]) != lower(b[c + i])) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] b, int at, byte[] prefix) {
    for (int i = 0; i < prefix.length; i++) {
      if (b[at + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int lower(byte c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  private static boolean digit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static boolean isWhite(byte c) {
    return c == ' ' || c == '\t';
  }

  /** RFC 9110 tchar. */
  private static boolean tokenChar(byte c) {
    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
      return true;
    }
    return switch (c) {
      case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
      default -> false;
    };
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
