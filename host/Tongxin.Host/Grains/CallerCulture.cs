using System.Globalization;
using Orleans;
using Orleans.Runtime;

namespace Tongxin.Host.Grains;

/// <summary>
/// A grain answers in the caller's language: its errors (409, 422 …) carry texts from resources, read in the
/// current culture, and a grain's turn does not run in the HTTP request's flow. The caller's UI culture travels in
/// Orleans' request context, to whichever host runs the grain.
/// </summary>
internal sealed class CallerCulture : IOutgoingGrainCallFilter, IIncomingGrainCallFilter
{
    private const string Key = "tongxin.culture";

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        RequestContext.Set(Key, CultureInfo.CurrentUICulture.Name);
        return context.Invoke();
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (RequestContext.Get(Key) is string { Length: > 0 } name)
        {
            var culture = CultureInfo.GetCultureInfo(name);
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
        }
        return context.Invoke();
    }
}
