/**
 * @module
 * The policies the hub has when hub.conf does not define them. They are the
 * ones koji's hub ships, so an unconfigured kojibox behaves like an
 * unconfigured koji: admins (and `tag` holders for package lists) may do the
 * guarded things, tasks go to the default channel (runroot tasks to
 * `runroot`) at their own priority, content lands on the DEFAULT volume. A
 * configured policy replaces its default entirely.
 */

export const DEFAULT_POLICIES: Readonly<Record<string, string>> = {
  build_rpm: `
    all :: allow
  `,
  build_from_srpm: `
    has_perm admin :: allow
    all :: deny Only admin can do this via default policy
  `,
  build_from_repo_id: `
    has_perm admin :: allow
    all :: deny Only admin can do this via default policy
  `,
  build_from_scm: `
    has_perm admin :: allow
    all :: deny Only admin can do this via default policy
  `,
  package_list: `
    has_perm admin :: allow
    has_perm tag :: allow
    all :: deny Only admin/tag can do this via default policy
  `,
  // kojibox: runroot tasks go to the runroot channel (Koji's plugin requests
  // it itself; here the policy does, so admins can redirect them by policy).
  // The channel is not created automatically: add-host-to-channel --new.
  channel: `
    has req_channel :: req
    is_child_task :: parent
    method runroot :: use runroot
    all :: use default
  `,
  vm: `
    has_perm admin win-admin :: allow
    all :: deny Only admin/win-admin can do this via default policy
  `,
  cg_import: `
    all :: allow
  `,
  volume: `
    all :: DEFAULT
  `,
  priority: `
    all :: stay
  `,
  draft_promotion: `
    has_perm draft-promoter :: allow
    is_build_owner :: allow
    all :: deny Only draft-promoter and build owner can do this via default policy
  `,
};
