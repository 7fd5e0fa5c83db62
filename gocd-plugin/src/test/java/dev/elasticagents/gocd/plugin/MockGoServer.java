package dev.elasticagents.gocd.plugin;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.thoughtworks.go.plugin.api.GoApplicationAccessor;
import com.thoughtworks.go.plugin.api.request.GoApiRequest;
import com.thoughtworks.go.plugin.api.response.DefaultGoApiResponse;
import com.thoughtworks.go.plugin.api.response.GoApiResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mockito.ArgumentCaptor;
import org.mockito.Mockito;

/**
 * The GoCD server's accessor, mocked: it lists the agents it is given and accepts every other call.
 */
final class MockGoServer {

  final GoApplicationAccessor accessor = mock(GoApplicationAccessor.class);
  private volatile String agents = "[]";
  private final Set<String> failing = ConcurrentHashMap.newKeySet();

  MockGoServer() {
    when(accessor.submit(any())).thenAnswer(invocation -> answer(invocation.getArgument(0)));
  }

  /** A plugin as GoCD loads it: its accessor is this server's. */
  ElasticAgentPlugin plugin() {
    ElasticAgentPlugin plugin = new ElasticAgentPlugin();
    plugin.initializeGoApplicationAccessor(accessor);
    return plugin;
  }

  void agents(String json) {
    agents = json;
  }

  /** GoCD answers this API with an error from now on. */
  void fail(String api) {
    failing.add(api);
  }

  void recover(String api) {
    failing.remove(api);
  }

  /** Every request the plugin submitted, in order. */
  List<GoApiRequest> requests() {
    if (Mockito.mockingDetails(accessor).getInvocations().isEmpty()) {
      return List.of();
    }
    ArgumentCaptor<GoApiRequest> captor = ArgumentCaptor.forClass(GoApiRequest.class);
    verify(accessor, atLeast(1)).submit(captor.capture());
    return captor.getAllValues();
  }

  List<String> apis() {
    return requests().stream().map(GoApiRequest::api).toList();
  }

  List<String> bodiesOf(String api) {
    return requests().stream()
        .filter(request -> request.api().equals(api))
        .map(GoApiRequest::requestBody)
        .toList();
  }

  private GoApiResponse answer(GoApiRequest request) {
    if (failing.contains(request.api())) {
      return DefaultGoApiResponse.error("failed on purpose");
    }
    if (request.api().equals(GoServer.LIST_AGENTS)) {
      return DefaultGoApiResponse.success(agents);
    }
    return DefaultGoApiResponse.success(null);
  }
}
