package dev.cohort.tomcat;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.catalina.Session;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.session.StandardSession;
import org.apache.catalina.valves.ValveBase;

/**
 * The first valve of a replicated context. Per request:
 *
 * <ol>
 *   <li>requests whose URI matches {@code replicationFilter} pass straight through;
 *   <li>a session id routed to another node is taken over and renamed to this node's route (the
 *       cookie is rewritten, {@code HttpSessionIdListener}s are told) — JvmRouteBinderValve's job;
 *   <li>in sync mode the response is held ({@link HeldResponse});
 *   <li>at the end, the session the request used is captured and committed, then the response is
 *       released.
 * </ol>
 */
final class ReplicationValve extends ValveBase {

  /** Responses larger than this are released early (after replicating what happened so far). */
  static final int HOLD_LIMIT = 1 << 20;

  private final ReplicatedManager manager;

  ReplicationValve(ReplicatedManager manager) {
    super(true);
    this.manager = manager;
  }

  @Override
  public void invoke(Request request, Response response) throws IOException, ServletException {
    NodeConfig config = manager.config();
    String uri = request.getDecodedRequestURI();
    if (config == null || (uri != null && config.replicationFilter().matcher(uri).matches())) {
      getNext().invoke(request, response);
      return;
    }
    manager.beginRequest();
    HeldResponse held = null;
    try {
      reroute(request);
      if (config.engine().sync()) {
        HttpServletResponse app = response.getResponse();
        held = new HeldResponse(app, HOLD_LIMIT, manager::replicateCurrent);
        response.setResponse(held);
      }
      getNext().invoke(request, response);
    } finally {
      try {
        manager.replicateCurrent();
      } finally {
        manager.endRequest();
        if (held != null) {
          held.release();
        }
      }
    }
  }

  /** A session routed to another node: take it over here and give the client the new route. */
  private void reroute(Request request) {
    String requested = request.getRequestedSessionId();
    String mine = manager.getJvmRoute();
    if (requested == null || mine == null || mine.equals(SessionIds.route(requested))) {
      return;
    }
    Session s = manager.findSession(requested);
    if (s == null) {
      return;
    }
    String newId = s.getIdInternal();
    if (!newId.equals(requested)) {
      request.changeSessionId(newId);
      if (s instanceof StandardSession ss) {
        ss.tellChangedSessionId(newId, requested, true, true);
      }
    }
  }
}
