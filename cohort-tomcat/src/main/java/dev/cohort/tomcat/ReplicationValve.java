package dev.cohort.tomcat;

import dev.cohort.core.engine.LookupRefusedException;
import dev.cohort.core.engine.ReplicationException;
import dev.cohort.core.engine.SessionEngine;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.catalina.Context;
import org.apache.catalina.Session;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.session.StandardSession;
import org.apache.catalina.valves.ValveBase;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * Replicates at the end of each request. CohortCluster puts one on its container's pipeline (the
 * Engine's, so it runs before authenticators: a FORM login in progress is captured too); a
 * ReplicatedManager configured alone puts one on its context's pipeline. Per request, for a context
 * whose manager is a {@link ReplicatedManager}:
 *
 * <ol>
 *   <li>requests whose URI matches {@code replicationFilter} pass straight through;
 *   <li>the requested session is looked up before the application runs: one routed to another node
 *       is taken over and renamed to this node's route (the cookie is rewritten, {@code
 *       HttpSessionIdListener}s are told) — JvmRouteBinderValve's job; a look-up that cannot be
 *       done now (too many running, members silent) is answered 503 with {@code Retry-After} and
 *       the application does not run, so no new session replaces one that may be live;
 *   <li>in sync mode (or with {@code storeSync}) the response is held ({@link HeldResponse});
 *   <li>at the end, the session the request used is captured and committed, then the response is
 *       released.
 * </ol>
 */
final class ReplicationValve extends ValveBase {
  private static final Log log = LogFactory.getLog(ReplicationValve.class);

  /** Responses larger than this are released early (after replicating what happened so far). */
  static final int HOLD_LIMIT = 1 << 20;

  private static final String DONE_NOTE = "dev.cohort.tomcat.replicated";

  ReplicationValve() {
    super(true);
  }

  @Override
  public void invoke(Request request, Response response) throws IOException, ServletException {
    Context context = request.getContext();
    ReplicatedManager manager =
        context != null && context.getManager() instanceof ReplicatedManager rm ? rm : null;
    NodeConfig config = manager == null ? null : manager.config();
    String uri = request.getDecodedRequestURI();
    if (config == null
        || request.getNote(DONE_NOTE) != null
        || (uri != null && config.replicationFilter().matcher(uri).matches())) {
      getNext().invoke(request, response);
      return;
    }
    SessionEngine stopping = manager.engine();
    if (stopping != null && stopping.isClosing()) {
      // the drain is handing this node's sessions to the others: taking one back here would make
      // two owners (a user then read a count one behind); a balancer retries elsewhere
      response.setHeader("Retry-After", "1");
      response.sendError(503, "this node is stopping; its sessions are moving to the others");
      return;
    }
    request.setNote(DONE_NOTE, Boolean.TRUE);
    manager.beginRequest();
    HeldResponse held = null;
    try {
      if (!lookUp(manager, request, response)) {
        return;
      }
      if (getContainer() instanceof Context) {
        // on the context's pipeline (a manager alone in context.xml): the authenticator before
        // this valve may have looked the session up or created one
        Session current = request.getSessionInternal(false);
        if (current != null) {
          manager.markUsed(current);
        }
      }
      if (manager.holdsResponses()) {
        HttpServletResponse app = response.getResponse();
        held = new HeldResponse(app, HOLD_LIMIT, manager::replicateCurrent);
        response.setResponse(held);
      }
      getNext().invoke(request, response);
    } finally {
      boolean applied = true;
      try {
        applied = manager.replicateCurrent();
      } finally {
        manager.endRequest();
        HttpServletResponse out = held != null ? held : response;
        if (!applied && !out.isCommitted()) {
          // the change was applied nowhere (the session moved to another node meanwhile): the
          // client must not see its result; a balancer retries an idempotent request elsewhere
          out.reset(); // also drops what the held response buffered
          out.setHeader("Retry-After", "0");
          out.sendError(
              503, "the session moved to another node while this request ran; retry the request");
        }
        if (held != null) {
          held.release();
        }
      }
    }
  }

  /**
   * Looks the requested session up; a session routed to another node is taken over here and the
   * client gets the new route.
   *
   * @return false when the look-up could not be done now and a 503 was sent
   */
  private static boolean lookUp(ReplicatedManager manager, Request request, Response response)
      throws IOException {
    String requested = request.getRequestedSessionId();
    if (requested == null) {
      return true;
    }
    Session s;
    try {
      s = manager.findSession(requested);
    } catch (ReplicationException e) {
      if (!(e instanceof LookupRefusedException)) {
        // members did not answer (counted as refusals are; refusals are not logged: a flood of
        // unknown ids would flood the log)
        log.warn("cohort: " + e.getMessage());
      }
      response.setHeader("Retry-After", "1");
      response.sendError(503, "the session could not be looked up now; retry the request");
      return false;
    }
    String mine = manager.getJvmRoute();
    if (s == null || mine == null || mine.equals(SessionIds.route(requested))) {
      return true;
    }
    String newId = s.getIdInternal();
    if (!newId.equals(requested)) {
      request.changeSessionId(newId);
      if (s instanceof StandardSession ss) {
        ss.tellChangedSessionId(newId, requested, true, true);
      }
    }
    return true;
  }
}
