using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using Tongxin.Host.Imports;

namespace Tongxin.LoadTests;

/// <summary>
/// The county's roster through <c>POST /api/children/import</c> (issue 16, point 1; goal: 10,000 rows checked and
/// imported in under 10 s): per round a sheet of <c>rows</c> children not seen before, each with a national ID
/// number, in 64 villages; timed end to end from the client: the dry run, the import, the same sheet again (all
/// "same"), and a sheet with one row in ten changed (risk and situation). Beside it, in the same round, its floor:
/// this process reading the same bytes with the host's own <see cref="SheetReader"/> and inserting the same rows into
/// a table of the child file's columns on the same database, the fastest way each has (PostgreSQL: binary COPY;
/// SQLite: one prepared INSERT in one transaction) — the work no roster import can skip. A B A B over the rounds; prints each figure and its ratio to the floor.
/// </summary>
internal static class RosterBenchmark
{
    private const string Family = "王李张刘陈杨黄赵吴周";
    private const string GivenPool = "小子文明华丽芳军强伟静敏秀英杰涛浩宇轩晨欣怡佳琪雨萱思梦嘉俊博瑞泽睿鑫磊婷娜玲霞燕雪梅兰菊桂红艳琳颖慧洁倩雯晶蕾蓉阳鹏飞龙虎海波江河山峰林森春夏秋冬天星月云雷电晓亮光辉荣成功德";

    public static async Task<int> RunAsync(Uri address, string database, string hostDatabase, int rows, int rounds)
    {
        var county = await County.CreateAsync(address, LoadTool.Admin, LoadTool.AdminPassword, towns: 8, villagesPerTown: 8, childrenPerVillage: 0);
        var civil = await LoadClient.LoginAsync(address, "civil", County.Password);
        await using var floor = await Floor.OpenAsync(database, hostDatabase);

        var results = new List<(string Step, double Seconds, double FloorSeconds)>();
        for (var round = 0; round < rounds; round++)
        {
            var sheet = Roster(county.Villages, rows, round, changedEvery: 0);
            var changedSheet = Roster(county.Villages, rows, round, changedEvery: 10);

            var dryRun = await TimeAsync(civil, sheet, dryRun: true, expect: ("new", rows));
            var import = await TimeAsync(civil, sheet, dryRun: false, expect: ("new", rows));
            var again = await TimeAsync(civil, sheet, dryRun: false, expect: ("same", rows));
            var changed = await TimeAsync(civil, changedSheet, dryRun: false, expect: ("changed", rows / 10));
            var floorSeconds = await floor.TimeAsync(sheet, round);
            Console.WriteLine($"round {round + 1}: dry run {dryRun:F2} s, import {import:F2} s, same sheet again {again:F2} s, "
                + $"{rows / 10} changed {changed:F2} s; floor (read the sheet + insert the rows) {floorSeconds:F2} s");
            results.AddRange([("dry run", dryRun, floorSeconds), ("import", import, floorSeconds), ("same sheet again", again, floorSeconds), ("one row in ten changed", changed, floorSeconds)]);
        }

        Console.WriteLine();
        Console.WriteLine($"roster import, {rows} rows a sheet (with national ID numbers, {county.Villages.Count} villages), {database}, {rounds} rounds; floor = SheetReader + the same rows by binary COPY (PostgreSQL) or one prepared INSERT in one transaction (SQLite)");
        Console.WriteLine($"{"step",-24} {"median s",9} {"floor s",8} {"ratio",6}");
        foreach (var step in results.GroupBy(r => r.Step))
        {
            var seconds = Median(step.Select(s => s.Seconds));
            var floorSeconds = Median(step.Select(s => s.FloorSeconds));
            Console.WriteLine($"{step.Key,-24} {seconds,9:F2} {floorSeconds,8:F2} {Median(step.Select(s => s.Seconds / s.FloorSeconds)),6:F1}");
        }
        var worst = results.Where(r => r.Step is "dry run" or "import").GroupBy(r => r.Step).Sum(g => Median(g.Select(s => s.Seconds)));
        Console.WriteLine($"checked and imported (dry run + import, medians): {worst:F2} s; goal under 10 s: {(worst < 10 ? "met" : "NOT met")}");
        return 0;
    }

    private static async Task<double> TimeAsync(LoadClient civil, byte[] sheet, bool dryRun, (string Status, int Count) expect)
    {
        var watch = Stopwatch.StartNew();
        using var response = await civil.Http.PostAsync($"/api/children/import?dryRun={(dryRun ? "true" : "false")}", new ByteArrayContent(sheet)
        {
            Headers = { ContentType = new("text/csv") },
        });
        var answer = await LoadClient.ReadAsync(response, "/api/children/import");
        watch.Stop();
        var count = answer[expect.Status]!.GetValue<int>();
        if (count != expect.Count || answer["errors"]!.GetValue<int>() != 0)
        {
            throw new InvalidOperationException($"Expected {expect.Count} {expect.Status}, got {answer.ToJsonString()[..Math.Min(600, answer.ToJsonString().Length)]}");
        }
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// A roster of children new to each round (the round picks the family name), with valid ID numbers; with
    /// <c>changedEvery</c>, every so many rows carry another risk level and situation.
    /// </summary>
    private static byte[] Roster(IReadOnlyList<string> villages, int rows, int round, int changedEvery)
    {
        var csv = new StringBuilder("姓名,性别,出生日期,村/社区,类别,监护情况,风险等级,身份证号\n");
        var risks = new[] { "低", "中", "高" };
        for (var i = 0; i < rows; i++)
        {
            var changed = changedEvery > 0 && i % changedEvery == 0;
            var name = $"{Family[round % Family.Length]}{GivenPool[i % GivenPool.Length]}{GivenPool[i / GivenPool.Length % GivenPool.Length]}{(i >= GivenPool.Length * GivenPool.Length ? GivenPool[i / (GivenPool.Length * GivenPool.Length)] : "")}";
            // Aged 4 to 15 (a left-behind child is under 16).
            var birth = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-15).AddDays(30 + i * 7 % 4000 + round);
            var male = i % 2 == 0;
            csv.Append(name).Append(',').Append(male ? "男" : "女").Append(',').Append(birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                .Append(',').Append(villages[i % villages.Count]).Append(',').Append(i % 5 == 0 ? "困境儿童" : "留守儿童")
                .Append(',').Append(changed ? "母亲返乡照料" : "父母均在外务工，由祖父母照料")
                .Append(',').Append(risks[(i + (changed ? 1 : 0)) % 3])
                .Append(',').Append(NationalId(birth, (i * 2 + (male ? 1 : 0) + round * 10) % 1000 | (male ? 1 : 0), i, round)).Append('\n');
        }
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    /// <summary>A GB 11643 number: area (made distinct per row and round), birth date, sequence (odd for a boy), check digit.</summary>
    private static string NationalId(DateOnly birth, int sequence, int row, int round)
    {
        var area = 100_000 + (row / 1000 * 10 + round) % 900_000;
        var body = $"{area:D6}{birth:yyyyMMdd}{sequence:D3}";
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = 0;
        for (var k = 0; k < 17; k++) sum += (body[k] - '0') * weights[k];
        return body + "10X98765432"[sum % 11];
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The floor: the same sheet read by <see cref="SheetReader"/>, its rows inserted in one transaction.</summary>
    private sealed class Floor(DbConnection connection) : IAsyncDisposable
    {
        public static async Task<Floor> OpenAsync(string database, string hostDatabase)
        {
            var sqlite = database == "sqlite";
            DbConnection connection = sqlite ? new SqliteConnection(hostDatabase) : new NpgsqlConnection(hostDatabase);
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = """
                CREATE TABLE roster_floor (id varchar(32) PRIMARY KEY, family_name text NOT NULL, given_name text NOT NULL, gender integer NOT NULL,
                  birth_date date NOT NULL, village_code varchar(32) NOT NULL, category integer NOT NULL, guardian_situation text NOT NULL,
                  risk_level integer NOT NULL, national_id_hash varchar(64), created_at timestamptz NOT NULL, version integer NOT NULL)
                """;
            await create.ExecuteNonQueryAsync();
            return new Floor(connection);
        }

        public async Task<double> TimeAsync(byte[] content, int round)
        {
            var watch = Stopwatch.StartNew();
            var rows = SheetReader.Read(content).Rows.Select(row => new
            {
                Id = $"r{round}-{row.Number}", Name = row["姓名"]!, Male = row["性别"] == "男", Birth = DateOnly.ParseExact(row["出生日期"]!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                Village = row["村/社区"]!, Category = row["类别"] == "困境儿童" ? 2 : 1, Situation = row["监护情况"]!,
                Risk = row["风险等级"] switch { "低" => 1, "中" => 2, _ => 3 }, Hash = row["身份证号"]!,
            }).ToList();
            if (connection is NpgsqlConnection postgres)
            {
                // PostgreSQL's fastest way in: COPY, binary.
                await using var copy = await postgres.BeginBinaryImportAsync("COPY roster_floor FROM STDIN (FORMAT BINARY)");
                foreach (var row in rows)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(row.Id); await copy.WriteAsync(row.Name[..1]); await copy.WriteAsync(row.Name[1..]); await copy.WriteAsync(row.Male ? 1 : 2);
                    await copy.WriteAsync(row.Birth); await copy.WriteAsync(row.Village); await copy.WriteAsync(row.Category); await copy.WriteAsync(row.Situation);
                    await copy.WriteAsync(row.Risk); await copy.WriteAsync(row.Hash); await copy.WriteAsync(DateTime.UtcNow, NpgsqlTypes.NpgsqlDbType.TimestampTz); await copy.WriteAsync(1);
                }
                await copy.CompleteAsync();
                return watch.Elapsed.TotalSeconds;
            }
            // SQLite's: one prepared INSERT in one transaction.
            await using var transaction = await connection.BeginTransactionAsync();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO roster_floor VALUES (@id, @family, @given, @gender, @birth, @village, @category, @situation, @risk, @hash, @at, 1)";
            var parameters = new[] { "id", "family", "given", "gender", "birth", "village", "category", "situation", "risk", "hash", "at" }
                .Select(name => { var p = insert.CreateParameter(); p.ParameterName = name; insert.Parameters.Add(p); return p; }).ToArray();
            foreach (var row in rows)
            {
                object[] values = [row.Id, row.Name[..1], row.Name[1..], row.Male ? 1 : 2, row.Birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), row.Village, row.Category, row.Situation, row.Risk, row.Hash, DateTime.UtcNow];
                for (var k = 0; k < values.Length; k++) parameters[k].Value = values[k];
                await insert.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
            return watch.Elapsed.TotalSeconds;
        }

        public async ValueTask DisposeAsync()
        {
            await using (var drop = connection.CreateCommand())
            {
                drop.CommandText = "DROP TABLE roster_floor";
                await drop.ExecuteNonQueryAsync();
            }
            await connection.DisposeAsync();
        }
    }
}
