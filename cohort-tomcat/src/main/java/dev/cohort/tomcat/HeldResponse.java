package dev.cohort.tomcat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.CharArrayWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Holds the body (and so the status line and headers) of a response in memory until {@link
 * #release()}: in sync mode no byte may reach the client before the session change is acknowledged,
 * even if the application flushes. Past {@code limit} buffered bytes (or chars) the response is
 * released early: {@code beforeEarlyRelease} replicates what the request did so far, and the rest
 * streams through (documented in docs/tomcat.md).
 *
 * <p>Not thread-safe, like a response.
 */
final class HeldResponse extends HttpServletResponseWrapper {

  private final HttpServletResponse real;
  private final int limit;
  private final Runnable beforeEarlyRelease;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
  private final CharArrayWriter chars = new CharArrayWriter(256);
  private boolean released;
  private boolean flushRequested;
  private boolean closeRequested;
  private ServletOutputStream realStream;
  private PrintWriter realWriter;
  private HeldStream stream;
  private PrintWriter writer;

  HeldResponse(HttpServletResponse real, int limit, Runnable beforeEarlyRelease) {
    super(real);
    this.real = real;
    this.limit = limit;
    this.beforeEarlyRelease = beforeEarlyRelease;
  }

  boolean isReleased() {
    return released;
  }

  /** Sends what was held (and a deferred flush or close); later writes go straight through. */
  void release() throws IOException {
    if (released) {
      return;
    }
    released = true;
    if (realWriter != null) {
      if (chars.size() > 0) {
        realWriter.write(chars.toCharArray());
        chars.reset();
      }
      if (closeRequested) {
        realWriter.close();
      } else if (flushRequested) {
        realWriter.flush();
      }
    } else if (realStream != null) {
      if (bytes.size() > 0) {
        bytes.writeTo(realStream);
        bytes.reset();
      }
      if (closeRequested) {
        realStream.close();
      } else if (flushRequested) {
        realStream.flush();
      }
    } else if (flushRequested) {
      real.flushBuffer();
    }
  }

  private void overflowCheck(int pending) throws IOException {
    if (!released && pending > limit) {
      beforeEarlyRelease.run();
      release();
    }
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (stream == null || realStream == null) {
      realStream = real.getOutputStream(); // same mode rules as the real response
      stream = new HeldStream();
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    if (writer == null || realWriter == null) {
      realWriter = real.getWriter(); // locks the charset exactly as Tomcat does
      writer = new PrintWriter(new HeldWriter(), false);
    }
    return writer;
  }

  @Override
  public void flushBuffer() throws IOException {
    if (released) {
      real.flushBuffer();
    } else {
      flushRequested = true;
    }
  }

  @Override
  public boolean isCommitted() {
    return real.isCommitted() || (!released && flushRequested);
  }

  @Override
  public void reset() {
    real.reset();
    if (!released) {
      bytes.reset();
      chars.reset();
      flushRequested = false;
      realStream = null;
      realWriter = null;
    }
  }

  @Override
  public void resetBuffer() {
    real.resetBuffer();
    if (!released) {
      bytes.reset();
      chars.reset();
    }
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    discardHeld();
    real.sendError(sc, msg);
  }

  @Override
  public void sendError(int sc) throws IOException {
    discardHeld();
    real.sendError(sc);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    discardHeld();
    real.sendRedirect(location);
  }

  private void discardHeld() {
    if (!released) {
      bytes.reset();
      chars.reset();
    }
  }

  private final class HeldStream extends ServletOutputStream {
    @Override
    public boolean isReady() {
      return !released || realStream.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      try {
        beforeEarlyRelease.run();
        release();
      } catch (IOException e) {
        listener.onError(e);
        return;
      }
      realStream.setWriteListener(listener);
    }

    @Override
    public void write(int b) throws IOException {
      if (released) {
        realStream.write(b);
      } else {
        bytes.write(b);
        overflowCheck(bytes.size());
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (released) {
        realStream.write(b, off, len);
      } else {
        bytes.write(b, off, len);
        overflowCheck(bytes.size());
      }
    }

    @Override
    public void flush() throws IOException {
      if (released) {
        realStream.flush();
      } else {
        flushRequested = true;
      }
    }

    @Override
    public void close() throws IOException {
      if (released) {
        realStream.close();
      } else {
        closeRequested = true;
      }
    }
  }

  private final class HeldWriter extends Writer {
    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
      if (released) {
        realWriter.write(cbuf, off, len);
      } else {
        chars.write(cbuf, off, len);
        overflowCheck(chars.size());
      }
    }

    @Override
    public void flush() {
      if (released) {
        realWriter.flush();
      } else {
        flushRequested = true;
      }
    }

    @Override
    public void close() {
      if (released) {
        realWriter.close();
      } else {
        closeRequested = true;
      }
    }
  }
}
