namespace Tongxin.Host.Persistence;

/// <summary>Where a parent is: away working, at home, deceased, or not known.</summary>
public enum ParentPresence
{
    Unknown,
    Away,
    AtHome,
    Deceased,
}

/// <summary>Whether the entrusted carer can look after the child, as the director last judged it.</summary>
public enum CarerAbility
{
    CanCare,
    Limited,
    Cannot,
}

/// <summary>
/// Who looks after the child (委托照护, 001 §3.2, 003 §5): the parents, the entrusted carer and the agreement, and the
/// director's last check of it. One per child; every change and check is kept in <see cref="CareArrangementChange"/>.
/// The columns are what the failing-care rules read; names, phone numbers and work places are sealed in <see cref="Details"/>.
/// </summary>
public sealed class CareArrangement
{
    public required string ChildId { get; init; }
    public ParentPresence FatherPresence { get; set; }
    public ParentPresence MotherPresence { get; set; }
    public CarerAbility? CarerAbility { get; set; }
    public DateOnly? AgreementSignedOn { get; set; }
    public DateOnly? AgreementUntil { get; set; }
    public DateTime? LastCheckedAt { get; set; }
    /// <summary>The last check found the agreement still in place (null: never checked).</summary>
    public bool? AgreementInPlace { get; set; }
    /// <summary>The rest, sealed (FieldCipher): the parents' work places and phones, the carer's name, relation, age and why, the signer.</summary>
    public required string Details { get; set; }
    /// <summary>The failing reasons the risk was already raised for (kebab-case, comma-separated): each raises it once while it lasts.</summary>
    public string RaisedFor { get; set; } = "";
    public int Version { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedByUserId { get; set; }
}

public enum CareChangeKind
{
    Set,
    Check,
}

/// <summary>A change of the care arrangement, or a check of it at a home visit: the whole arrangement as it then stood, sealed.</summary>
public sealed class CareArrangementChange
{
    public required string Id { get; init; }
    public required string ChildId { get; init; }
    public required CareChangeKind Kind { get; init; }
    /// <summary>Sealed JSON: the arrangement after the change (a check: with what the check found and its notes).</summary>
    public required string Snapshot { get; init; }
    public required string ByUserId { get; init; }
    public required DateTime At { get; init; }
}
