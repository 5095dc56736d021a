# The service image used by docker-compose.yml.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/ConflictLedger.Server -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
COPY events /app/events
ENV ConflictLedger__EventsFolder=/app/events
EXPOSE 5080
ENTRYPOINT ["dotnet", "ConflictLedger.Server.dll", "serve"]
