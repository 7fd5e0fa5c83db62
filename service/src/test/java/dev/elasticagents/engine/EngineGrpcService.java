package dev.elasticagents.engine;

import io.camunda.zeebe.gateway.protocol.GatewayGrpc;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.CompleteJobResponse;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.TopologyRequest;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass.TopologyResponse;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import java.util.Set;

/**
 * The engine's gateway as an 8.8 gateway serves it: activated jobs carry their kind, listener event
 * type and user task ({@link ListenerJobs}), a job completion carries its result ({@link
 * EngineCommands#complete}), and while the engine plays unreachable every call fails with {@code
 * UNAVAILABLE}.
 */
final class EngineGrpcService {

  private static final Set<String> ACTIVATIONS =
      Set.of(
          GatewayGrpc.getActivateJobsMethod().getFullMethodName(),
          GatewayGrpc.getStreamActivatedJobsMethod().getFullMethodName());

  private EngineGrpcService() {}

  static ServerServiceDefinition of(
      GatewayGrpc.GatewayImplBase gateway,
      EngineCommands commands,
      ListenerJobs listenerJobs,
      Reachability reachability,
      ReportedVersion version) {
    ServerServiceDefinition original = gateway.bindService();
    ServerServiceDefinition.Builder service =
        ServerServiceDefinition.builder(original.getServiceDescriptor());
    for (ServerMethodDefinition<?, ?> method : original.getMethods()) {
      if (method.getMethodDescriptor().equals(GatewayGrpc.getCompleteJobMethod())) {
        service.addMethod(
            GatewayGrpc.getCompleteJobMethod(),
            ServerCalls.<CompleteJobRequest, CompleteJobResponse>asyncUnaryCall(
                (request, observer) ->
                    commands
                        .complete(request)
                        .whenComplete(
                            (response, error) -> {
                              if (error != null) {
                                observer.onError(Status.fromThrowable(error).asRuntimeException());
                              } else {
                                observer.onNext(response);
                                observer.onCompleted();
                              }
                            })));
      } else if (method.getMethodDescriptor().equals(GatewayGrpc.getTopologyMethod())) {
        service.addMethod(
            GatewayGrpc.getTopologyMethod(),
            ServerCalls.<TopologyRequest, TopologyResponse>asyncUnaryCall(
                (request, observer) -> {
                  observer.onNext(version.apply(commands.call(gateway::topology, request).join()));
                  observer.onCompleted();
                }));
      } else {
        service.addMethod(method);
      }
    }
    return ServerInterceptors.intercept(
        service.build(),
        completingActivatedJobs(listenerJobs),
        refusingWhileUnavailable(reachability));
  }

  private static ServerInterceptor completingActivatedJobs(ListenerJobs listenerJobs) {
    return new ServerInterceptor() {
      @Override
      @SuppressWarnings("unchecked")
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
        if (!ACTIVATIONS.contains(method.getFullMethodName())) {
          return next.startCall(call, headers);
        }
        return next.startCall(
            new SimpleForwardingServerCall<>(call) {
              @Override
              public void sendMessage(RespT message) {
                super.sendMessage((RespT) listenerJobs.complete(message));
              }
            },
            headers);
      }
    };
  }

  private static ServerInterceptor refusingWhileUnavailable(Reachability reachability) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        if (reachability.answersUnavailable()) {
          call.close(
              Status.UNAVAILABLE.withDescription("The cluster is unavailable"), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    };
  }
}
