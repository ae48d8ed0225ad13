package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The backend-response parser on its own: framing, limits, malformed input and the head rewrite.
 */
class ResponseParserTest {
  private final Recorder sink = new Recorder();
  private final ResponseParser parser = new ResponseParser(1024, ByteBufAllocator.DEFAULT, sink);
  private final List<ByteBuf> fed = new ArrayList<>();

  /** What the parser handed on, as text, and what each head said. */
  private static final class Recorder implements ResponseParser.Sink {
    final StringBuilder body = new StringBuilder();
    final StringBuilder out = new StringBuilder(); // what the client gets: heads and bodies
    final List<Integer> codes = new ArrayList<>();
    final List<String> heads = new ArrayList<>();
    final List<Boolean> keepAlive = new ArrayList<>();
    int ends;
    int bodyPieces;
    String malformed;
    String relayed = "";
    boolean dechunk;
    boolean stopOnHead;
    boolean http10Client;
    boolean clientKeepAlive = true;

    @Override
    public void onHead(ResponseParser head) {
      codes.add(head.code());
      keepAlive.add(head.keepAlive());
      if (dechunk) {
        head.dechunk();
      }
      boolean chunkedOut =
          !http10Client && (head.chunked() || (!head.bodyless() && head.contentLength() < 0));
      ByteBuf h = head.forClient(http10Client, clientKeepAlive, chunkedOut);
      heads.add(h.toString(StandardCharsets.ISO_8859_1));
      out.append(h.toString(StandardCharsets.ISO_8859_1));
      h.release();
      if (stopOnHead) {
        head.stop();
      }
    }

    @Override
    public void onBody(ByteBuf piece, boolean last) {
      body.append(piece.toString(StandardCharsets.ISO_8859_1));
      out.append(piece.toString(StandardCharsets.ISO_8859_1));
      piece.release();
      bodyPieces++;
      if (last) {
        ends++;
      }
    }

    @Override
    public void onRelay(ByteBuf bytes) {
      relayed += bytes.toString(StandardCharsets.ISO_8859_1);
      bytes.release();
    }

    @Override
    public void onMalformed(String why) {
      malformed = why;
    }
  }

  private void feed(String... parts) {
    for (String p : parts) {
      ByteBuf b = Unpooled.copiedBuffer(p, StandardCharsets.ISO_8859_1);
      fed.add(b);
      parser.feed(b);
    }
  }

  @AfterEach
  void everyBufferIsReleased() {
    parser.release();
    for (ByteBuf b : fed) {
      assertThat(b.refCnt()).as("buffers handed to the parser are released").isZero();
    }
  }

  @Test
  void aContentLengthResponseIsHandedOnUnchanged() {
    String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n";
    feed(head + "hello");
    assertThat(sink.codes).containsExactly(200);
    assertThat(sink.out).hasToString(head + "hello");
    assertThat(sink.heads)
        .as("a body that came whole with its head goes on in the same slice")
        .containsExactly(head + "hello");
    assertThat(sink.ends).isEqualTo(1);
    assertThat(sink.keepAlive).containsExactly(true);
    assertThat(parser.idle()).isTrue();
  }

  @Test
  void headAndBodySplitAnywhereGiveTheSameResult() {
    String whole = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-A: b\r\n\r\n0123456789";
    for (int cut = 1; cut < whole.length(); cut++) {
      Recorder r = new Recorder();
      ResponseParser p = new ResponseParser(1024, ByteBufAllocator.DEFAULT, r);
      p.feed(Unpooled.copiedBuffer(whole.substring(0, cut), StandardCharsets.ISO_8859_1));
      p.feed(Unpooled.copiedBuffer(whole.substring(cut), StandardCharsets.ISO_8859_1));
      assertThat(r.codes).as("cut at %d", cut).containsExactly(200);
      assertThat(r.out).as("cut at %d", cut).hasToString(whole);
      assertThat(r.ends).isEqualTo(1);
      assertThat(r.malformed).isNull();
    }
  }

  @Test
  void chunkedBodyIsForwardedWithItsFraming_evenWhenSplitAcrossReads() {
    String body = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
    String whole = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
    for (int cut = 1; cut < whole.length(); cut++) {
      Recorder r = new Recorder();
      ResponseParser p = new ResponseParser(1024, ByteBufAllocator.DEFAULT, r);
      p.feed(Unpooled.copiedBuffer(whole.substring(0, cut), StandardCharsets.ISO_8859_1));
      p.feed(Unpooled.copiedBuffer(whole.substring(cut), StandardCharsets.ISO_8859_1));
      assertThat(r.malformed).as("cut at %d", cut).isNull();
      assertThat(r.body).as("cut at %d", cut).hasToString(body);
      assertThat(r.ends).as("cut at %d", cut).isEqualTo(1);
      assertThat(r.heads.get(0)).contains("Transfer-Encoding: chunked");
      assertThat(p.idle()).isTrue();
    }
  }

  @Test
  void chunkedBodyForAnHttp10ClientLosesItsFraming() {
    sink.dechunk = true;
    sink.http10Client = true;
    sink.clientKeepAlive = false;
    feed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
        "2\r\nde\r\n0\r\n\r\n");
    assertThat(sink.body).hasToString("abcde");
    assertThat(sink.ends).isEqualTo(1);
    assertThat(sink.heads.get(0)).startsWith("HTTP/1.0 200 OK\r\n").doesNotContain("chunked");
  }

  @Test
  void twoResponsesOnOneConnectionAreParsedOneAfterTheOther() {
    feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
    feed("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nbc");
    assertThat(sink.codes).containsExactly(200, 404);
    assertThat(sink.out)
        .hasToString(
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
                + "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nbc");
    assertThat(sink.ends).isEqualTo(2);
  }

  @Test
  void responseToHeadHasNoBody_whateverItsLengthSays() {
    parser.expect(true);
    feed("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n");
    assertThat(sink.ends).isEqualTo(1);
    assertThat(sink.body).isEmpty();
    assertThat(parser.idle()).isTrue();
    parser.expect(false);
    feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    assertThat(sink.out).endsWith("\r\n\r\nok");
  }

  @Test
  void responses204And304HaveNoBody() {
    feed("HTTP/1.1 204 No Content\r\n\r\n");
    feed("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n");
    feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
    assertThat(sink.codes).containsExactly(204, 304, 200);
    assertThat(sink.ends).isEqualTo(3);
    assertThat(sink.out).endsWith("\r\n\r\nx");
    assertThat(sink.heads.get(0)).isEqualTo("HTTP/1.1 204 No Content\r\n\r\n");
  }

  @Test
  void interimResponsesAreFollowedByTheRealOne() {
    feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    assertThat(sink.codes).containsExactly(100, 200);
    assertThat(sink.ends).isEqualTo(1);
    assertThat(sink.out).endsWith("Content-Length: 2\r\n\r\nok");
  }

  @Test
  void connectionCloseFromTheBackendIsSeen_andNotPassedOn() {
    feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    assertThat(sink.keepAlive).containsExactly(false);
    assertThat(sink.heads.get(0))
        .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"); // the client keeps alive
  }

  @Test
  void http10BackendWithoutKeepAliveCloses_andHttp11DefaultsToKeepAlive() {
    feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    feed("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");
    feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(sink.keepAlive).containsExactly(false, true, true);
    assertThat(sink.heads.get(0)).startsWith("HTTP/1.1 200 OK\r\n");
  }

  @Test
  void hopByHopHeadersAndTheNamesConnectionListsAreRemoved() {
    feed(
        "HTTP/1.1 200 OK\r\nConnection: X-Private, keep-alive\r\nKeep-Alive: timeout=5\r\n"
            + "X-Private: secret\r\nUpgrade: h2\r\nTrailer: x\r\nX-Public: p\r\n"
            + "Content-Length: 0\r\n\r\n");
    assertThat(sink.heads.get(0))
        .isEqualTo("HTTP/1.1 200 OK\r\nX-Public: p\r\nContent-Length: 0\r\n\r\n");
  }

  @Test
  void theClientsConnectionHeaderIsWritten() {
    sink.clientKeepAlive = false;
    feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    sink.http10Client = true;
    sink.clientKeepAlive = true;
    feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(sink.heads)
        .containsExactly(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nconnection: close\r\n\r\n",
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nconnection: keep-alive\r\n\r\n");
  }

  @Test
  void transferEncodingWinsOverContentLength_whichIsDropped() {
    feed(
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "2\r\nok\r\n0\r\n\r\n");
    assertThat(sink.heads.get(0))
        .isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    assertThat(sink.ends).isEqualTo(1);
  }

  @Test
  void aBodyUpToTheCloseEndsWhenTheConnectionDoes() {
    feed("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome", " more");
    assertThat(sink.ends).isZero();
    assertThat(sink.heads.get(0)).endsWith("transfer-encoding: chunked\r\n\r\n");
    parser.end();
    assertThat(sink.ends).isEqualTo(1);
    assertThat(sink.body).hasToString("some more");
  }

  @Test
  void bareLineFeedsAreAccepted_andWrittenAsCrLf() {
    feed("HTTP/1.1 200 OK\nContent-Length: 2\n\nok");
    assertThat(sink.heads.get(0)).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
    assertThat(sink.body).hasToString("ok");
  }

  @Test
  void malformedStatusLinesAreRejected() {
    for (String bad :
        List.of(
            "HTTP/2.0 200 OK\r\n\r\n",
            "HTTP/1.1 20 OK\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "HTTP/1.1 abc OK\r\n\r\n",
            "HTTP/1.1 099 Low\r\n\r\n",
            "ICY 200 OK\r\n\r\n",
            "\r\n\r\n")) {
      assertRejected(bad);
    }
  }

  @Test
  void malformedHeadersAreRejected() {
    for (String bad :
        List.of(
            "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
            "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
            "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")) {
      assertRejected(bad);
    }
  }

  /** A fresh parser fed {@code bad} reports it malformed and passes no response on. */
  private static void assertRejected(String bad) {
    Recorder r = new Recorder();
    ResponseParser p = new ResponseParser(1024, ByteBufAllocator.DEFAULT, r);
    p.feed(Unpooled.copiedBuffer(bad, StandardCharsets.ISO_8859_1));
    p.release();
    assertThat(r.malformed).as(bad).isNotNull();
    assertThat(r.codes).as(bad).isEmpty();
  }

  @Test
  void aHeadOverTheLimitIsRejected_evenWhenItArrivesInPieces() {
    feed("HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 20 && sink.malformed == null; i++) {
      feed("X-Filler-" + i + ": " + "y".repeat(60) + "\r\n");
    }
    assertThat(sink.malformed).contains("exceeds 1024 bytes");
    feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(sink.codes).as("nothing after the failure is parsed").isEmpty();
  }

  @Test
  void malformedChunkFramingIsRejected() {
    for (String bad :
        List.of(
            "zz\r\nabc\r\n",
            "3\r\nabcX\r\n",
            "\r\n",
            "3 x\r\nabc\r\n",
            "1" + "0".repeat(20) + "\r\n")) {
      Recorder r = new Recorder();
      ResponseParser p = new ResponseParser(1024, ByteBufAllocator.DEFAULT, r);
      p.feed(
          Unpooled.copiedBuffer(
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + bad,
              StandardCharsets.ISO_8859_1));
      p.release();
      assertThat(r.malformed).as(bad).isNotNull();
      assertThat(r.ends).as(bad).isZero();
    }
  }

  @Test
  void bytesAfterA101AreRelayed() {
    feed(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            + "\u0081\u0002hi",
        "more");
    assertThat(sink.codes).containsExactly(101);
    assertThat(sink.relayed).isEqualTo("\u0081\u0002himore");
    assertThat(sink.ends).isZero();
  }

  @Test
  void aBodyThatArrivesLaterComesAsItsOwnPieces() {
    feed("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nab", "cd", "ef");
    assertThat(sink.heads).containsExactly("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n");
    assertThat(sink.body).hasToString("abcdef");
    assertThat(sink.ends).isEqualTo(1);
  }

  @Test
  void aStoppedParserIgnoresTheRest() {
    sink.stopOnHead = true;
    feed("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 3\r\n\r\nbye", "more");
    assertThat(sink.codes).containsExactly(503);
    assertThat(sink.bodyPieces).isZero();
  }
}
