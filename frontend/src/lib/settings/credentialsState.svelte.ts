// Reactive state of one list of a shared sandbox's credentials in Settings → Shared access: API keys or
// registration tokens (server/admin). A new credential's secret is held here until dismissed: the server
// shows it once.
import { ApiError, createCredential, listCredentials, revokeCredential, type Credential, type CredentialKind } from '../api';

const message = (err: unknown) => (err instanceof ApiError ? (err.serverMessage ?? err.message) : err instanceof Error ? err.message : String(err));

export class CredentialsState {
  readonly kind: CredentialKind;
  list = $state.raw<Credential[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  busy = $state(false);
  /** The refusal of a create, shown next to the name input. */
  nameError = $state<string | null>(null);
  /** The credential just created, with its secret, until the admin says it is stored. */
  created = $state.raw<Credential | null>(null);

  constructor(kind: CredentialKind) {
    this.kind = kind;
  }

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.list = await listCredentials(this.kind);
      this.error = null;
    } catch (err) {
      this.error = message(err);
    }
    this.loading = false;
  }

  /** Creates one; says whether it worked, so the form can clear its input. */
  async create(name: string): Promise<boolean> {
    this.busy = true;
    this.nameError = this.error = null;
    try {
      this.created = await createCredential(this.kind, name);
      await this.load();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.field === 'name') this.nameError = message(err);
      else this.error = message(err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  async revoke(c: Credential): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await revokeCredential(this.kind, c.id);
      if (this.created?.id === c.id) this.created = null;
      await this.load();
    } catch (err) {
      this.error = message(err);
    }
    this.busy = false;
  }
}
