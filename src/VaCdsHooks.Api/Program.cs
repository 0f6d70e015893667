using VaCdsHooks.Api.Composition;

var builder = WebApplication.CreateBuilder(args);

builder.AddVaCdsHooks();

var app = builder.Build();

await app.UseVaCdsHooksAsync();

await app.RunAsync();

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
