# syntax=docker/dockerfile:1
# Build: docker build -t vacdshooks .
# Run:   docker run -p 8080:8080 -e CdsHooks__PublicBaseUrl=https://crd.payer.example.org ... vacdshooks
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig VaCdsHooks.sln ./
COPY src/ src/
COPY fhir-resources/ fhir-resources/
RUN dotnet restore src/VaCdsHooks.Api/VaCdsHooks.Api.csproj
RUN dotnet publish src/VaCdsHooks.Api/VaCdsHooks.Api.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# curl for the container health check only.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /app ./
# The embedded SQLite default writes under /app/data; production uses PostgreSQL (Storage__Provider=Postgres).
RUN mkdir -p /app/data && chown -R app:app /app/data
USER app
# MALLOC_ARENA_MAX=2: native allocations (TLS, signature checks, SQLite) from many pool threads otherwise spread
# over up to 8 glibc arenas per core, and the working set kept creeping up from run to run (README, Performance).
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    MALLOC_ARENA_MAX=2
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://localhost:8080/health/live || exit 1
ENTRYPOINT ["dotnet", "VaCdsHooks.Api.dll"]
