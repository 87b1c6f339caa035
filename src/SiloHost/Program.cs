using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Woodpecker.SiloHost;

// woodpecker-silo: one silo of a Woodpecker cluster. Configuration: appsettings.json next to the binary, then
// environment variables (Woodpecker__Etcd__Endpoints__0=http://etcd:2379), then the command line
// (--Woodpecker:Silo:Port=7400). See the README's "Running a cluster" section.
// The content root is the binary's directory, so its appsettings.json applies whatever the working directory is.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
try
{
    builder.Services.AddSingleton(SiloConfiguration.Read(builder.Configuration));
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"woodpecker-silo: invalid configuration: {ex.Message}");
    return 2;
}

builder.Services.AddHostedService<SiloService>();
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(45));
using var host = builder.Build();
try
{
    await host.RunAsync();
}
catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or HttpRequestException or Woodpecker.Errors.WoodpeckerException)
{
    await Console.Error.WriteLineAsync($"woodpecker-silo: could not start: {ex.Message}");
    return 1;
}

return Environment.ExitCode;
