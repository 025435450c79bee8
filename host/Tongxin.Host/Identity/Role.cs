namespace Tongxin.Host.Identity;

/// <summary>The kebab-case names of the roles (<see cref="Role"/>, in the modules' contract), for JSON and claims.</summary>
public static class RoleNames
{
    private static readonly Dictionary<Role, string> Names = new()
    {
        [Role.Admin] = "admin",
        [Role.CivilAffairs] = "civil-affairs",
        [Role.Supervisor] = "supervisor",
        [Role.ChildDirector] = "child-director",
        [Role.ProgrammeOwner] = "programme-owner",
        [Role.SocialWorkOrg] = "social-work-org",
        [Role.Volunteer] = "volunteer",
    };

    public static string Name(this Role role) => Names[role];

    public static bool TryParse(string? value, out Role role)
    {
        foreach (var (r, name) in Names)
        {
            if (name == value)
            {
                role = r;
                return true;
            }
        }
        role = default;
        return false;
    }
}
