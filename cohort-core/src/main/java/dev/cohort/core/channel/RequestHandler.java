package dev.cohort.core.channel;

/**
 * Answers {@link ClusterChannel#request}s. The returned bytes are the acknowledgement sent back; an
 * exception thrown here fails the request at the caller with a {@link RemoteFailureException}.
 * Requests from one sender are handled in the order they were sent, like messages.
 */
@FunctionalInterface
public interface RequestHandler {
  byte[] onRequest(Member from, byte[] payload) throws Exception;
}
