# syntax=docker/dockerfile:1
# Builds the service image. The build stage runs the same Maven wrapper as a developer would,
# without the tests, for the service module and the modules it needs. The GoCD plugin is its own
# module and goes to the GoCD server, not into the image.
FROM eclipse-temurin:25-jdk AS build
WORKDIR /workspace
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY gocd-profiles/ gocd-profiles/
COPY gocd-plugin/ gocd-plugin/
COPY service/ service/
COPY bpmn/ bpmn/
# The Maven repository is a build cache, kept between image builds but never in a layer.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw --batch-mode --no-transfer-progress --projects service --also-make package -DskipTests \
 && java -Djarmode=tools -jar service/target/elastic-agent-workers-*.jar \
      extract --layers --application-filename elastic-agent-workers.jar \
      --destination service/target/extracted

# Java 25, the runtime every test and benchmark runs on. Job handlers run on virtual threads; from
# Java 24 a virtual thread blocked in a synchronized block (H2, some drivers) no longer pins its
# carrier thread (JEP 491).
FROM eclipse-temurin:25-jre
# tini is process 1: it passes SIGTERM on to the JVM, which drains the job workers, and reaps the
# processes of local agents that end after the JVM let go of them.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 workers \
 && useradd --system --uid 10001 --gid workers --home-dir /app --no-create-home workers
WORKDIR /app
COPY --from=build /workspace/service/target/extracted/dependencies/ ./
COPY --from=build /workspace/service/target/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/service/target/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/service/target/extracted/application/ ./
# An ahead-of-time cache of the classes the service loads and links while it starts (JEP 483),
# written by a training run that starts the application context and exits before any worker or
# server starts, so it reaches nothing outside the image. It is built with the very JVM and jars it
# serves; a JVM that cannot use it says so and starts without it. It cuts the start by about 40 %.
RUN java -XX:AOTCacheOutput=elastic-agent-workers.aot -Dspring.context.exit=onRefresh \
      -jar elastic-agent-workers.jar --spring.datasource.url=jdbc:h2:mem:training \
 && rm -rf /tmp/*
# Runs as uid 10001, never root; the registry's H2 default and local agents live under /tmp, the
# only place the service writes (a writable volume where the root file system is read-only).
USER 10001:10001
# 8080: the GoCD endpoint; 8081: the actuator (health, metrics).
EXPOSE 8080 8081
# Liveness, not readiness: a cluster or database outage makes the service unready, and a restart
# would not bring either back.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '\"UP\"' <&3"]
# The heap follows the container's memory limit; an OutOfMemoryError ends the JVM, so that the
# platform restarts it, instead of leaving it half alive. More JVM options: JDK_JAVA_OPTIONS.
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-XX:AOTCache=elastic-agent-workers.aot", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "elastic-agent-workers.jar"]
