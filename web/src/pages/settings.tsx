import { useEffect, useState } from 'preact/hooks';
import { api, auth, ok } from '../api/client';
import { toApiError, type ApiError } from '../api/problem';
import { navigate } from '../lib/router';
import { flash, forgetUser } from '../state';
import { ErrorMessage, Field } from '../ui/components';

export function SettingsPage({ userId, username }: { userId: string; username: string }) {
  const [loaded, setLoaded] = useState<{ displayName: string; bio: string } | null>(null);
  const [displayName, setDisplayName] = useState('');
  const [bio, setBio] = useState('');
  const [saved, setSaved] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [confirmName, setConfirmName] = useState('');
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  useEffect(() => {
    void ok(api.GET('/users/{id}', { params: { path: { id: userId } } })).then(
      (u) => {
        setDisplayName(u.displayName);
        setBio(u.bio);
        setLoaded({ displayName: u.displayName, bio: u.bio });
      },
      (e: unknown) => setError(toApiError(e)),
    );
  }, [userId]);
  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaved('');
    try {
      await ok(
        api.PATCH('/users/{id}', { params: { path: { id: userId } }, body: { displayName, bio } }),
      );
      forgetUser(userId);
      setSaved('Profile saved.');
    } catch (e) {
      setError(toApiError(e));
    }
  };
  const remove = async (event: Event) => {
    event.preventDefault();
    setDeleteError(null);
    try {
      await ok(api.DELETE('/users/{id}', { params: { path: { id: userId } } }));
      auth.signOut();
      flash.set('Your account and everything you posted have been deleted.');
      navigate('/signin', { replace: true });
    } catch (e) {
      setDeleteError(toApiError(e));
    }
  };
  return (
    <>
      <h1>Settings</h1>
      <section class="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        {!loaded && !error && <p class="muted">Loading…</p>}
        <form onSubmit={save} noValidate hidden={!loaded}>
          <Field
            id="displayName"
            label="Display name"
            error={error?.fields.displayName}
            input={{
              value: displayName,
              onInput: (e: Event) => setDisplayName((e.currentTarget as HTMLInputElement).value),
              maxLength: 50,
            }}
          />
          <div class="field">
            <label for="bio">Bio</label>
            <textarea
              id="bio"
              value={bio}
              rows={3}
              maxLength={160}
              aria-invalid={error?.fields.bio ? 'true' : undefined}
              aria-describedby={error?.fields.bio ? 'bio-error' : 'bio-hint'}
              onInput={(e) => setBio(e.currentTarget.value)}
            />
            <small id="bio-hint" class="hint">
              Up to 160 characters
            </small>
            {error?.fields.bio && (
              <small id="bio-error" class="field-error">
                {error.fields.bio}
              </small>
            )}
          </div>
          <ErrorMessage error={error} />
          {saved && (
            <p class="notice" role="status">
              {saved}
            </p>
          )}
          <button type="submit">Save profile</button>
        </form>
      </section>
      <section class="card danger-zone" aria-labelledby="delete-title">
        <h2 id="delete-title">Delete account</h2>
        <p>
          This deletes your account, your posts, likes, comments and follows. It cannot be undone.
        </p>
        <form onSubmit={remove}>
          <Field
            id="confirm-delete"
            label={`Type your username (${username}) to confirm`}
            input={{
              value: confirmName,
              onInput: (e: Event) => setConfirmName((e.currentTarget as HTMLInputElement).value),
              autoComplete: 'off',
            }}
          />
          <ErrorMessage error={deleteError} />
          <button
            type="submit"
            class="danger"
            disabled={confirmName.trim().toLowerCase() !== username.toLowerCase()}
          >
            Delete my account
          </button>
        </form>
      </section>
    </>
  );
}
