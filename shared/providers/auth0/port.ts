// Auth0 user accounts, in Fonella's terms: what the API needs to know about a user and to remove one.

export interface DirectoryUser {
  id: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

export interface UserDirectory {
  /** The user, or undefined when Auth0 does not know the id. */
  getUser(userId: string): Promise<DirectoryUser | undefined>;
  /** Deletes the user; deleting an unknown user is not an error. */
  deleteUser(userId: string): Promise<void>;
}
