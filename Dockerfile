# The Switchboard CLI in a container; by default it runs the mock LLM on port 8080 with the fixtures
# mounted at /fixtures, reloading them when they change. compose.yaml runs exactly this command.
# Listening on 0.0.0.0, the mock needs the token its admin API asks for: docker run -e SWITCHBOARD_ADMIN_TOKEN=...
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Switchboard -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# Sample fixtures, replaced by whatever is mounted at /fixtures.
COPY samples/fixtures /fixtures
EXPOSE 8080
ENTRYPOINT ["dotnet", "switchboard.dll"]
CMD ["mock", "--fixtures", "/fixtures", "--host", "0.0.0.0", "--port", "8080", "--watch"]
