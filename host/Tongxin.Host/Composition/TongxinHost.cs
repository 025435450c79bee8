using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Tongxin.Host.Caching;
using Tongxin.Host.Demo;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Matching;
using Tongxin.Host.Modules;
using Tongxin.Host.Needs;
using Tongxin.Host.Pairings;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;
using Tongxin.Host.Text;

namespace Tongxin.Host.Composition;

/// <summary>The host's composition, in the order a reader needs it. Program.cs calls these two.</summary>
public static class TongxinHost
{
    public static WebApplicationBuilder AddTongxinHost(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(provider => Security.FieldKeys.Resolve(configuration, builder.Environment.ContentRootPath,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Tongxin.Security")));
        services.AddSingleton<Security.NationalIds>();
        services.AddTongxinDatabase(configuration, builder.Environment);
        services.AddAuditLog(configuration);
        services.AddServiceLineModules(configuration, builder.Environment.ContentRootPath);
        services.AddRequestPipeline();
        services.AddNeedAndPairingReaders();
        builder.AddTongxinSilo();
        // Their workers start in this order (hosted services start as registered).
        services.AddMatching(configuration);
        services.AddSafeguarding(configuration);
        services.AddEscalation(configuration);
        services.AddReports(configuration);
        services.AddNotifications(configuration);
        services.AddTongxinIdentity();
        services.AddTongxinHttp();
        services.AddSharedCache(configuration);
        services.AddTongxinRateLimits(configuration);
        services.Configure<BootstrapOptions>(configuration.GetSection(BootstrapOptions.Section));
        services.Configure<DemoOptions>(configuration.GetSection(DemoOptions.Section));
        services.Configure<FieldWork.FieldWorkOptions>(configuration.GetSection(FieldWork.FieldWorkOptions.Section));
        services.AddSingleton<FieldWork.ServiceWorkerScript>();
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.MimeTypes = Microsoft.AspNetCore.ResponseCompression.ResponseCompressionDefaults.MimeTypes.Append("application/manifest+json");
        });
        return builder;
    }

    public static async Task<WebApplication> UseTongxinHostAsync(this WebApplication app)
    {
        await app.Services.MigrateTongxinDatabaseAsync();
        await app.Services.MigrateModuleDatabasesAsync();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tongxin.Startup");
        var demo = app.Configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
        var bootstrap = app.Configuration.GetSection(BootstrapOptions.Section).Get<BootstrapOptions>() ?? new BootstrapOptions();
        if ((demo.Enabled || demo.County) && string.IsNullOrEmpty(bootstrap.AdminUserName))
        {
            bootstrap = new BootstrapOptions { AdminUserName = DemoCounty.AdminUserName, AdminPassword = DemoCounty.Password };
        }
        await BootstrapAdmin.EnsureAdminAsync(app.Services, bootstrap, logger);
        if (demo.County)
        {
            // The full county rather than the small one: both use the README's user names.
            if (await FullDemoCounty.SeedAsync(app.Services, logger) is not null)
            {
                await FullDemoCounty.RunFirstSweepsAsync(app.Services);
            }
        }
        else if (demo.Enabled)
        {
            await DemoCounty.SeedAsync(app.Services, logger);
        }
        // Whatever the shared cache holds may describe another database (restored from a backup, seeded
        // while this host was away): a new generation at every start means no host reads it.
        await app.Services.GetRequiredService<LookupCache>().InvalidateAsync(RegionDirectory.Family);

        // Culture first: the error handler and status pages below write texts in the caller's language.
        app.UseRequestLocalization(new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("zh-CN"),
            SupportedCultures = [new CultureInfo("zh-CN"), new CultureInfo("en")],
            SupportedUICultures = [new CultureInfo("zh-CN"), new CultureInfo("en")],
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The web app for directors, volunteers and staff (wwwroot/): files from this host only, no CDN.
        // Only outside /api: an API request never looks for a file on disk.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"), web =>
        {
            // The shell's files compressed (about a quarter of the bytes on a village phone's first load); they hold no
            // secrets, so compressing them over HTTPS gives nothing away (BREACH). API answers are left as they are.
            web.UseResponseCompression();
            // The service worker with its shell filled in (not wwwroot/sw.js as it is on disk).
            web.Use((context, next) => context.Request.Path == FieldWork.ServiceWorkerScript.Path && HttpMethods.IsGet(context.Request.Method)
                ? context.RequestServices.GetRequiredService<FieldWork.ServiceWorkerScript>().WriteAsync(context)
                : next(context));
            web.UseDefaultFiles();
            web.UseStaticFiles();
        });
        app.UseAuthentication();
        // A token stands only while its user's stamp and status say so, on every host (revocation, ADR 0020).
        app.UseTokenStampCheck();
        app.UseAuthorization();
        app.UseRateLimiter();
        // Answers about children must not linger in a shared phone's browser or a proxy.
        app.Use((context, next) =>
        {
            // Never framed by another site (click-jacking of a director's session).
            context.Response.Headers.XFrameOptions = "DENY";
            context.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            if (context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/api/modules"))
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers.CacheControl = "no-store";
                    context.Response.Headers.Pragma = "no-cache";
                    return Task.CompletedTask;
                });
            }
            return next();
        });
        // Last before the endpoints: a body that does not bind is read again field by field, so its 400 names every
        // field at once (ADR 0018).
        app.UseFieldByFieldBinding();
        app.MapOpenApi();
        foreach (var group in app.Services.GetServices<IEndpointGroup>())
        {
            group.Map(app);
        }
        return app;
    }

    /// <summary>
    /// MediatR 5.1 with handlers, validators and endpoint groups found by Scrutor; behaviours outermost first. A module's
    /// handlers and validators are registered the same way by <see cref="ModuleLoader"/>, so its requests pass the same behaviours.
    /// </summary>
    private static IServiceCollection AddRequestPipeline(this IServiceCollection services)
    {
        services.AddScoped<ServiceFactory>(provider => provider.GetService!);
        services.AddScoped<IMediator, Mediator>();
        services.Scan(scan => scan.FromAssemblyOf<IEndpointGroup>()
            .AddClasses(c => c.AssignableTo(typeof(IRequestHandler<,>)), publicOnly: false)
                .AsImplementedInterfaces().WithScopedLifetime()
            .AddClasses(c => c.AssignableTo(typeof(INotificationHandler<>)), publicOnly: false)
                .AsImplementedInterfaces().WithScopedLifetime()
            .AddClasses(c => c.AssignableTo(typeof(IValidator<>)), publicOnly: false)
                .As(t => t.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidator<>)))
                .WithSingletonLifetime()
            .AddClasses(c => c.AssignableTo<IEndpointGroup>(), publicOnly: false)
                .As<IEndpointGroup>().WithSingletonLifetime());
        // Order matters: audit sees refusals by authorization and by the child's region; validation runs only for allowed
        // callers; a request about a child reaches its handler only when the child is in the caller's region.
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(AuditBehaviour<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(AuthorizationBehaviour<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(ValidationBehaviour<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(ChildScopeBehaviour<,>));
        // What the modules' contract offers a line's handlers: the caller, and the child as a module may know it.
        services.AddScoped<IRequestCallerAccessor>(provider => provider.GetRequiredService<ICallerAccessor>());
        services.AddScoped<IChildDirectory, Children.ChildDirectory>();
        services.AddScoped<BodyBindFailures>();
        return services;
    }

    /// <summary>The audit rows that no change carries (reads, refusals), committed in groups (<see cref="Audit.AuditLog"/>).</summary>
    private static IServiceCollection AddAuditLog(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<Audit.AuditOptions>(configuration.GetSection(Audit.AuditOptions.Section));
        services.AddSingleton<Audit.AuditLog>();
        return services;
    }

    /// <summary>What the needs' and pairings' handlers read through: a need or pairing as the caller may see it.</summary>
    private static IServiceCollection AddNeedAndPairingReaders(this IServiceCollection services)
    {
        services.AddScoped<NeedReader>();
        services.AddScoped<PairingReader>();
        services.AddScoped<Care.CareArrangementStore>();
        services.AddScoped<Care.CareOverview>();
        return services;
    }

    /// <summary>Batch matching: the engine, and the worker that wakes each line and county's matchmaker.</summary>
    private static IServiceCollection AddMatching(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MatchingOptions>(configuration.GetSection(MatchingOptions.Section));
        services.AddSingleton<MatchingEngine>();
        services.AddHostedService<MatchingWorker>();
        return services;
    }

    /// <summary>Concerns (their escalation, on a timer too, and where they are passed on) and the contact rhythm.</summary>
    private static IServiceCollection AddSafeguarding(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<Safeguarding.SafeguardingOptions>(configuration.GetSection(Safeguarding.SafeguardingOptions.Section));
        services.AddSingleton<Safeguarding.ConcernEscalation>();
        services.AddHostedService<Safeguarding.ConcernEscalationWorker>();
        services.AddScoped<Safeguarding.IConcernNotifier, Safeguarding.LogOnlyConcernNotifier>();
        services.Configure<Safeguarding.FollowupOptions>(configuration.GetSection(Safeguarding.FollowupOptions.Section));
        services.AddScoped<Safeguarding.FollowupRhythm>();
        return services;
    }

    /// <summary>Unplaced needs climbing to the town and the county (ADR 0007), swept on a timer.</summary>
    private static IServiceCollection AddEscalation(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<Escalation.EscalationOptions>(configuration.GetSection(Escalation.EscalationOptions.Section));
        services.AddSingleton<Escalation.NeedEscalator>();
        services.AddHostedService<Escalation.EscalationWorker>();
        return services;
    }

    /// <summary>
    /// The outbox's sender on every host (ADR 0022), and the channels out of the app that this deployment configured:
    /// an SMS gateway (<c>Notifications:Sms:Url</c>), an SMTP server (<c>Notifications:Email:Host</c>).
    /// </summary>
    private static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(Notifications.NotificationOptions.Section);
        services.Configure<Notifications.NotificationOptions>(section);
        services.AddSingleton<Notifications.NotificationTexts>();
        services.AddScoped<Notifications.NotificationSettingsReader>();
        var configured = section.Get<Notifications.NotificationOptions>() ?? new();
        if (configured.Sms.Configured)
        {
            // One client for the host's life; connections renewed now and then so a gateway's DNS change is seen.
            services.AddSingleton<Notifications.INotificationChannel>(provider => new Notifications.SmsGatewayChannel(
                new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
                provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Notifications.NotificationOptions>>()));
        }
        if (configured.Email.Configured)
        {
            services.AddSingleton<Notifications.INotificationChannel, Notifications.SmtpMailChannel>();
        }
        services.AddSingleton<Notifications.NotificationSender>();
        services.AddHostedService<Notifications.NotificationSenderWorker>();
        services.Configure<Notifications.DailyNoticeOptions>(configuration.GetSection(Notifications.DailyNoticeOptions.Section));
        services.AddSingleton<Notifications.DailyNotices>();
        services.AddSingleton<Care.CareReview>();
        services.AddHostedService<Notifications.DailyNoticeWorker>();
        return services;
    }

    /// <summary>The towns' report reminders (ledger, annual report), made on a timer.</summary>
    private static IServiceCollection AddReports(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<Reports.ReportOptions>(configuration.GetSection(Reports.ReportOptions.Section));
        services.AddSingleton<Reports.ReportReminderService>();
        services.AddHostedService<Reports.ReportReminderWorker>();
        return services;
    }

    private static IServiceCollection AddTongxinIdentity(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<ICallerAccessor, HttpCallerAccessor>();
        services.AddSingleton<UserStamps>();
        services.AddScoped<Users.ManagedUsers>();
        services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        // Token keys live in the database so every host of one deployment reads every token.
        services.AddDataProtection().SetApplicationName("Tongxin").PersistKeysToDbContext<TongxinDbContext>();
        services.AddAuthentication(BearerTokenDefaults.AuthenticationScheme)
            .AddBearerToken(BearerTokenDefaults.AuthenticationScheme, options => options.BearerTokenExpiration = TimeSpan.FromHours(8));
        // Each host opens a token once and remembers its ticket for a while (Identity/RememberedTokens.cs, ADR 0010).
        services.AddOptions<BearerTokenOptions>(BearerTokenDefaults.AuthenticationScheme)
            .PostConfigure<TimeProvider>((options, clock) => options.BearerTokenProtector = new RememberedTokens(options.BearerTokenProtector, clock));
        services.AddAuthorization();
        return services;
    }

    /// <summary>JSON as the API writes it, problem+json for every error, the OpenAPI document.</summary>
    private static IServiceCollection AddTongxinHttp(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(options => ConfigureJson(options.SerializerOptions));
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions.Remove("exception");
            // Answers written by the framework itself (no token: 401; no such route: 404, 405) speak the caller's language too.
            if (context.Exception is null)
            {
                (context.ProblemDetails.Title, context.ProblemDetails.Detail) = context.ProblemDetails.Status switch
                {
                    401 => (HostTexts.Local("problem.unauthenticated"), HostTexts.Local("forbidden.signIn")),
                    403 => (HostTexts.Local("problem.forbidden"), context.ProblemDetails.Detail),
                    404 => (HostTexts.Local("problem.notFound"), HostTexts.Local("problem.noRoute")),
                    405 => (HostTexts.Local("problem.method"), HostTexts.Local("problem.method")),
                    _ => (context.ProblemDetails.Title, context.ProblemDetails.Detail),
                };
            }
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi();
        return services;
    }

    /// <summary>The cache shared by the hosts of a deployment, and the region lookups made through it.</summary>
    private static IServiceCollection AddSharedCache(this IServiceCollection services, IConfiguration configuration)
    {
        // The one cache the code uses is IDistributedCache: in memory by default, Redis (Microsoft's RedisCache set to
        // fail fast, Caching/OutageTolerantRedisCache.cs) when Cache:Provider is Redis; Redis down means a miss, never an error.
        if (string.Equals(configuration["Cache:Provider"], "Redis", StringComparison.OrdinalIgnoreCase))
        {
            services.AddTongxinRedisCache(configuration);
        }
        else
        {
            services.AddDistributedMemoryCache();
        }
        // Region lookups through that cache, with a generation per family (Caching/LookupCache.cs). Modules are
        // not cached: the catalog is built once at start-up and lives in memory. Programme lists and
        // Idempotency-Keys are not cached either: docs/adr/0008-shared-cache-lookup-generations.md says why.
        services.Configure<LookupCacheOptions>(configuration.GetSection(LookupCacheOptions.Section));
        services.AddSingleton<LookupCache>();
        services.AddHostedService<LookupGenerationKeeper>();
        services.AddScoped<RegionDirectory>();
        return services;
    }

    /// <summary>camelCase, kebab-case enum names (<c>left-behind</c>), no numbers for enums, no unknown fields.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        // Chinese text as text, not \uXXXX escapes: readable in logs, curl and the browser's network tab.
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
    }
}
