import { useState } from 'preact/hooks';
import { api, auth, ok } from '../api/client';
import { toApiError, type ApiError } from '../api/problem';
import { navigate } from '../lib/router';
import { ErrorMessage, Field } from '../ui/components';
import { flash, useStore } from '../state';

function useForm<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState(initial);
  const bind = (name: keyof T & string) => ({
    value: values[name],
    onInput: (e: Event) =>
      setValues((v) => ({ ...v, [name]: (e.currentTarget as HTMLInputElement).value })),
  });
  return { values, bind };
}

export function SignIn() {
  const message = useStore(flash);
  const { values, bind } = useForm({ login: '', password: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      auth.signIn(await ok(api.POST('/auth/login', { body: values })));
      flash.set('');
      navigate('/');
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow">
      <h1>Sign in to Flock</h1>
      {message && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <Field
          id="login"
          label="Username or email"
          error={error?.fields.login}
          input={{ ...bind('login'), autoComplete: 'username', required: true }}
        />
        <Field
          id="password"
          label="Password"
          error={error?.fields.password}
          input={{
            ...bind('password'),
            type: 'password',
            autoComplete: 'current-password',
            required: true,
          }}
        />
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <p>
        New here? <a href="/signup">Create an account</a>
      </p>
    </section>
  );
}

export function SignUp() {
  const { values, bind } = useForm({ username: '', email: '', password: '', displayName: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { displayName, ...rest } = values;
      await ok(
        api.POST('/auth/register', { body: displayName.trim() ? { ...rest, displayName } : rest }),
      );
      auth.signIn(
        await ok(
          api.POST('/auth/login', { body: { login: values.username, password: values.password } }),
        ),
      );
      navigate('/');
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow">
      <h1>Create your Flock account</h1>
      <form onSubmit={submit} noValidate>
        <Field
          id="username"
          label="Username"
          hint="3–30 letters, digits or underscores"
          error={error?.fields.username}
          input={{ ...bind('username'), autoComplete: 'username', required: true }}
        />
        <Field
          id="displayName"
          label="Display name (optional)"
          error={error?.fields.displayName}
          input={{ ...bind('displayName'), autoComplete: 'name' }}
        />
        <Field
          id="email"
          label="Email"
          error={error?.fields.email}
          input={{ ...bind('email'), type: 'email', autoComplete: 'email', required: true }}
        />
        <Field
          id="password"
          label="Password"
          hint="At least 8 characters"
          error={error?.fields.password}
          input={{
            ...bind('password'),
            type: 'password',
            autoComplete: 'new-password',
            required: true,
          }}
        />
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          Sign up
        </button>
      </form>
      <p>
        Already have an account? <a href="/signin">Sign in</a>
      </p>
    </section>
  );
}
