using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace Tongxin.Host.Persistence;

/// <summary>
/// Makes <c>dotnet ef migrations add</c> write what ADR 0002 asks of a migration: one set for SQLite and PostgreSQL,
/// columns without store types (each provider maps the CLR type itself), an identity column with both providers'
/// annotations, and a model snapshot without store types that both providers' pending-model-changes checks accept.
/// Found by dotnet ef in the startup assembly; the host itself never uses it.
/// </summary>
internal sealed partial class ProviderNeutralMigrations : IDesignTimeServices
{
    public void ConfigureDesignTimeServices(IServiceCollection services)
    {
        services.AddSingleton<ICSharpMigrationOperationGenerator, NeutralOperationGenerator>();
        services.AddSingleton<ICSharpSnapshotGenerator, NeutralSnapshotGenerator>();
    }

    private sealed class NeutralOperationGenerator(CSharpMigrationOperationGeneratorDependencies dependencies)
        : CSharpMigrationOperationGenerator(dependencies)
    {
        public override void Generate(string builderName, IReadOnlyList<MigrationOperation> operations, IndentedStringBuilder builder)
        {
            foreach (var column in operations.SelectMany(Columns))
            {
                column.ColumnType = null;
                // PostgreSQL's identity (the design-time context is PostgreSQL's) and SQLite's autoincrement, as M0001 has them.
                if (column.FindAnnotation("Npgsql:ValueGenerationStrategy") is not null && column.FindAnnotation("Sqlite:Autoincrement") is null)
                {
                    column.AddAnnotation("Sqlite:Autoincrement", true);
                }
            }
            base.Generate(builderName, operations, builder);
        }

        private static IEnumerable<ColumnOperation> Columns(MigrationOperation operation) => operation switch
        {
            CreateTableOperation table => table.Columns,
            AlterColumnOperation alter => [alter, alter.OldColumn],
            ColumnOperation column => [column],
            _ => [],
        };
    }

    private sealed partial class NeutralSnapshotGenerator(CSharpSnapshotGeneratorDependencies dependencies)
        : CSharpSnapshotGenerator(dependencies)
    {
        public override void Generate(string modelBuilderName, IModel model, IndentedStringBuilder stringBuilder)
        {
            var snapshot = new IndentedStringBuilder();
            base.Generate(modelBuilderName, model, snapshot);
            stringBuilder.AppendLines(StoreType().Replace(snapshot.ToString(), "$1"), skipFinalNewline: false);
        }

        /// <summary><c>.HasColumnType("character varying(32)")</c> on a line of its own, keeping a statement's closing semicolon.</summary>
        [GeneratedRegex(@"\r?\n[ \t]*\.HasColumnType\(""[^""]*""\)(;?)")]
        private static partial Regex StoreType();
    }
}
