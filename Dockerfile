# syntax=docker/dockerfile:1
# Builds the service image. The build stage runs the same Maven wrapper as a developer would; the
# build's second jar, the GoCD plugin, goes to the GoCD server, not into the image.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /workspace
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw --batch-mode --no-transfer-progress dependency:go-offline -DexcludeTypes=tar.gz
COPY src/ src/
COPY bpmn/ bpmn/
RUN ./mvnw --batch-mode --no-transfer-progress package -DskipTests \
 && service_jar="$(ls target/elastic-agent-workers-*.jar | grep -v -- '-gocd-plugin.jar$')" \
 && java -Djarmode=tools -jar "$service_jar" extract --layers --launcher --destination target/extracted

FROM eclipse-temurin:21-jre
RUN useradd --system --uid 10001 --home-dir /app workers
WORKDIR /app
COPY --from=build /workspace/target/extracted/dependencies/ ./
COPY --from=build /workspace/target/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/target/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/target/extracted/application/ ./
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '\"UP\"' <&3"]
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "org.springframework.boot.loader.launch.JarLauncher"]
