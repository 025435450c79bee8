namespace Tongxin.Modules.Contracts.Requests;

/// <summary>
/// The roles of API.md. JSON and claims use the kebab-case names (<c>child-director</c>). In the modules' contract, so a
/// module's request names who may send it with the same <see cref="AllowedRolesAttribute"/> as the host's.
/// </summary>
public enum Role
{
    Admin,
    CivilAffairs,
    Supervisor,
    ChildDirector,
    ProgrammeOwner,
    SocialWorkOrg,
    Volunteer,
}
