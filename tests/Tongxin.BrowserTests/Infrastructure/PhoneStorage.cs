using System.Text.Json;

namespace Tongxin.BrowserTests.Infrastructure;

/// <summary>What the web app keeps on the phone (IndexedDB `tongxin-field`, js/fieldcopy.js), read and written as a test needs.</summary>
public static class PhoneStorage
{
    private const string CopyCount = """
        const r = indexedDB.open('tongxin-field');
        r.onsuccess = () => { const db = r.result; if (!db.objectStoreNames.contains('copy')) { db.close(); done(0); return; }
          const q = db.transaction('copy').objectStore('copy').count(); q.onsuccess = () => { db.close(); done(q.result); }; };
        r.onerror = () => done(-1);
        """;

    private const string QueueJson = """
        const r = indexedDB.open('tongxin-field');
        r.onsuccess = () => { const db = r.result; if (!db.objectStoreNames.contains('queue')) { db.close(); done('[]'); return; }
          const q = db.transaction('queue').objectStore('queue').getAll(); q.onsuccess = () => { db.close(); done(JSON.stringify(q.result)); }; };
        r.onerror = () => done('[]');
        """;

    /// <summary>How many answers the phone keeps for reading offline.</summary>
    public static long CopyEntries(this Browser browser) => Convert.ToInt64(browser.RunAsync(CopyCount));

    /// <summary>The records waiting on the phone (and refused or set-aside ones), as stored.</summary>
    public static JsonElement[] Queue(this Browser browser) =>
        JsonDocument.Parse((string)browser.RunAsync(QueueJson)!).RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();

    /// <summary>Puts an entry into the phone's queue as it is (a resend, or a damaged entry).</summary>
    public static void PutInQueue(this Browser browser, string entryJavaScript) => browser.RunAsync($$"""
        const r = indexedDB.open('tongxin-field');
        r.onsuccess = () => { const db = r.result; const tx = db.transaction('queue', 'readwrite'); tx.objectStore('queue').put({{entryJavaScript}});
          tx.oncomplete = () => { db.close(); done(true); }; };
        """);

    /// <summary>Signed in on a phone, the service worker controls the page and the copy for the field is complete.</summary>
    public static void ReadyForTheField(this Browser browser, string user)
    {
        browser.Reset();
        browser.Phone();
        browser.Login(user);
        browser.WaitUntil(() => browser.Driver.ExecuteScript("return !!navigator.serviceWorker.controller") is true, "the service worker controls the page");
        browser.WaitFor("body[data-field-copy]");
    }
}
